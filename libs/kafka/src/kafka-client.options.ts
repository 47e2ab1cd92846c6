import { KafkaConfig as KafkaSettings } from '@app/config';
import { KafkaConfig, logLevel, Partitioners, ProducerConfig } from 'kafkajs';
import { kafkaLogCreator } from './kafka-log-creator';

/** Connection settings shared by every Kafka client the apps create (producer, consumer, admin). */
export function kafkaClientOptions(settings: KafkaSettings, clientId: string): KafkaConfig {
  return {
    clientId,
    brokers: settings.brokers,
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator,
    // kafkajs retries a failed request with exponential backoff before surfacing the error.
    retry: { initialRetryTime: 300, maxRetryTime: 10_000, retries: 8 },
  };
}

/**
 * Every producer in the product (orders, dead letters, replays) writes this way: idempotent, so the
 * broker drops a batch a retry sends twice; one request in flight, so retries cannot reorder
 * batches; no topic auto-creation; and the Java client's murmur2 partitioner, so a key lands on the
 * same partition whichever client wrote it. Sends still pass acks=-1 (all in-sync replicas).
 */
export function reliableProducerOptions(overrides: Partial<ProducerConfig> = {}): ProducerConfig {
  return {
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
    ...overrides,
  };
}
