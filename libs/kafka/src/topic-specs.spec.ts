import { KafkaConfig } from '@app/config';
import { FoundTopic, topicSettingProblems } from './topic-specs';

const kafka: KafkaConfig = {
  brokers: ['localhost:9092'],
  topics: { orders: 'food-orders', dlq: 'food-orders.dlq' },
  ordersPartitions: 3,
  dlqPartitions: 1,
  replicationFactor: 3,
  minInsyncReplicas: 2,
};

const found = (orders: Partial<FoundTopic>, dlq: Partial<FoundTopic>) =>
  new Map<string, FoundTopic>([
    [
      'food-orders',
      { partitions: 3, replicationFactor: 3, maxMessageBytes: 2_097_152, minInsyncReplicas: 2, ...orders },
    ],
    [
      'food-orders.dlq',
      { partitions: 1, replicationFactor: 3, maxMessageBytes: 2_359_296, minInsyncReplicas: 2, ...dlq },
    ],
  ]);

describe(topicSettingProblems.name, () => {
  it('finds nothing wrong with topics as the apps create them', () => {
    expect(topicSettingProblems(kafka, found({}, {}))).toEqual([]);
  });

  it('names fewer partitions or replicas than configured, and a DLQ that takes smaller records than the orders topic', () => {
    expect(
      topicSettingProblems(
        kafka,
        found({ partitions: 1, replicationFactor: 1 }, { maxMessageBytes: 1_048_588 }),
      ),
    ).toEqual([
      'food-orders has 1 partitions, configured 3',
      'food-orders has replication factor 1, configured 3',
      "food-orders.dlq takes records up to 1048588 bytes (max.message.bytes), less than food-orders's 2097152: the largest orders could not be dead-lettered",
    ]);
  });
});
