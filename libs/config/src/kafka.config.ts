import { ConfigType, registerAs } from '@nestjs/config';
import { readEnv } from './env';

export const kafkaConfig = registerAs('kafka', () => {
  const env = readEnv();
  return {
    brokers: env.KAFKA_BROKERS,
    topics: { orders: env.KAFKA_TOPIC_ORDERS, dlq: env.KAFKA_TOPIC_DLQ },
    ordersPartitions: env.KAFKA_TOPIC_PARTITIONS,
    dlqPartitions: env.KAFKA_TOPIC_DLQ_PARTITIONS,
    replicationFactor: env.KAFKA_REPLICATION_FACTOR,
  };
});

export type KafkaConfig = ConfigType<typeof kafkaConfig>;
