import { OrderTopic } from '@app/contracts';
import { ConfigType, registerAs } from '@nestjs/config';
import { EnvReader } from './env-reader';

export const DEFAULT_ORDERS_TOPIC: string = OrderTopic.Orders;
export const DEFAULT_DLQ_TOPIC: string = OrderTopic.DeadLetter;

export const kafkaConfig = registerAs('kafka', () => {
  const env = new EnvReader();
  return env.done({
    brokers: env.brokers('KAFKA_BROKERS', 'localhost:9092'),
    topics: {
      orders: env.topic('KAFKA_TOPIC_ORDERS', DEFAULT_ORDERS_TOPIC),
      dlq: env.topic('KAFKA_TOPIC_DLQ', DEFAULT_DLQ_TOPIC),
    },
    ordersPartitions: env.integer('KAFKA_TOPIC_PARTITIONS', 3, 1, 1000),
    dlqPartitions: env.integer('KAFKA_TOPIC_DLQ_PARTITIONS', 1, 1, 1000),
    replicationFactor: env.integer('KAFKA_REPLICATION_FACTOR', 1, 1, 10),
  });
});

export type KafkaConfig = ConfigType<typeof kafkaConfig>;
