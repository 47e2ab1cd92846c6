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
        { name: 'min.insync.replicas', value: String(kafka.minInsyncReplicas) },
      ],
    },
    {
      topic: kafka.topics.dlq,
      numPartitions: kafka.dlqPartitions,
      replicationFactor: kafka.replicationFactor,
      configEntries: [
        { name: 'retention.ms', value: String(14 * DAY_MS) },
        { name: 'max.message.bytes', value: String(2 * MIB + 256 * 1024) },
        { name: 'min.insync.replicas', value: String(kafka.minInsyncReplicas) },
      ],
    },
  ];
}

/** What the broker says an existing topic is. */
export interface FoundTopic {
  partitions: number;
  replicationFactor: number;
  /** max.message.bytes, the topic's own or the broker's default. */
  maxMessageBytes?: number;
  /** min.insync.replicas, the topic's own or the broker's default. */
  minInsyncReplicas?: number;
}

/**
 * How existing topics differ from what the apps would create, in words: fewer partitions or
 * replicas than configured, or a DLQ that takes smaller records than the orders topic (then the
 * largest orders could never be dead-lettered, and their partition would wait for ever).
 */
export function topicSettingProblems(kafka: KafkaConfig, found: Map<string, FoundTopic>): string[] {
  const problems: string[] = [];
  for (const spec of topicSpecs(kafka)) {
    const topic = found.get(spec.topic);
    if (!topic) continue;
    if (topic.partitions < (spec.numPartitions ?? 1)) {
      // Adding partitions moves keys to new partitions and breaks per-customer ordering for
      // in-flight orders, so it is an operator's decision, never an automatic one.
      problems.push(`${spec.topic} has ${topic.partitions} partitions, configured ${spec.numPartitions}`);
    }
    if (topic.replicationFactor < (spec.replicationFactor ?? 1)) {
      problems.push(
        `${spec.topic} has replication factor ${topic.replicationFactor}, configured ${spec.replicationFactor}`,
      );
    }
    if (topic.minInsyncReplicas !== undefined && topic.minInsyncReplicas < kafka.minInsyncReplicas) {
      // acks=all would then acknowledge a write fewer replicas hold than the configuration promises.
      problems.push(
        `${spec.topic} has min.insync.replicas ${topic.minInsyncReplicas}, configured ${kafka.minInsyncReplicas}`,
      );
    }
  }
  const orders = found.get(kafka.topics.orders)?.maxMessageBytes;
  const dlq = found.get(kafka.topics.dlq)?.maxMessageBytes;
  if (orders !== undefined && dlq !== undefined && dlq < orders) {
    problems.push(
      `${kafka.topics.dlq} takes records up to ${dlq} bytes (max.message.bytes), less than ${kafka.topics.orders}'s ${orders}: the largest orders could not be dead-lettered`,
    );
  }
  return problems;
}
