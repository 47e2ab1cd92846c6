import { KafkaConfig as KafkaSettings } from '@app/config';
import { KafkaConfig, logLevel } from 'kafkajs';
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
