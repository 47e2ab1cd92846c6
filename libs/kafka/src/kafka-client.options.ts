import { KafkaConfig as KafkaSettings } from '@app/config';
import { KafkaConfig, logLevel, Partitioners, ProducerConfig } from 'kafkajs';
import { kafkaLogCreator } from './kafka-log-creator';

/** How every Kafka client of the product retries a failed request (see kafkaClientOptions). */
export const KAFKA_RETRY = { initialRetryTime: 100, maxRetryTime: 1_000, retries: 40 } as const;

/** Connection settings shared by every Kafka client the apps create (producer, consumer, admin). */
export function kafkaClientOptions(settings: KafkaSettings, clientId: string): KafkaConfig {
  return {
    clientId,
    brokers: settings.brokers,
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator,
    // kafkajs retries a failed request with exponential backoff before surfacing the error. Capped
    // at 1 s, as the Java clients back off (retry.backoff.ms 100, retry.backoff.max.ms 1000): a
    // client waiting for a moved partition leader or group coordinator finds it within a second of
    // the move, not up to 10 s later. About 37 s of retries in all before the error surfaces.
    retry: KAFKA_RETRY,
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
