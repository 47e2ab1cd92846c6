import { KafkaConfig } from '@app/config';
import { ITopicConfig } from 'kafkajs';

const DAY_MS = 24 * 60 * 60 * 1000;
const MIB = 1024 * 1024;

/**
 * The topics this product owns. Orders keep 7 days so a consumer can be rebuilt from the log;
 * dead letters keep 14 so an operator has time to fix and replay them. The DLQ accepts records a
 * little larger than the orders topic does, so any record that got in can get out with its
 * x-dlq-* headers added; an oversized record is dead-lettered with a reason, not stuck.
 */
export function topicSpecs(kafka: KafkaConfig): ITopicConfig[] {
  return [
    {
      topic: kafka.topics.orders,
      numPartitions: kafka.ordersPartitions,
      replicationFactor: kafka.replicationFactor,
      configEntries: [
        { name: 'retention.ms', value: String(7 * DAY_MS) },
        { name: 'max.message.bytes', value: String(2 * MIB) },
      ],
    },
    {
      topic: kafka.topics.dlq,
      numPartitions: kafka.dlqPartitions,
      replicationFactor: kafka.replicationFactor,
      configEntries: [
        { name: 'retention.ms', value: String(14 * DAY_MS) },
        { name: 'max.message.bytes', value: String(2 * MIB + 256 * 1024) },
      ],
    },
  ];
}
