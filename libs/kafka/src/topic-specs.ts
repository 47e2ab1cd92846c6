import { KafkaConfig } from '@app/config';
import { ITopicConfig } from 'kafkajs';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The topics this product owns. Orders keep 7 days so a consumer can be rebuilt from the log;
 * dead letters keep 14 so an operator has time to fix and replay them.
 */
export function topicSpecs(kafka: KafkaConfig): ITopicConfig[] {
  return [
    {
      topic: kafka.topics.orders,
      numPartitions: kafka.ordersPartitions,
      replicationFactor: kafka.replicationFactor,
      configEntries: [{ name: 'retention.ms', value: String(7 * DAY_MS) }],
    },
    {
      topic: kafka.topics.dlq,
      numPartitions: kafka.dlqPartitions,
      replicationFactor: kafka.replicationFactor,
      configEntries: [{ name: 'retention.ms', value: String(14 * DAY_MS) }],
    },
  ];
}
