import { ConfigType, registerAs } from '@nestjs/config';
import { readEnv } from './env';
import { EnvDto } from './env.dto';

/** The Kafka settings of an environment: what the apps use, and what manifests are checked against. */
export function kafkaSettingsOf(env: EnvDto) {
  return {
    brokers: env.KAFKA_BROKERS,
    topics: { orders: env.KAFKA_TOPIC_ORDERS, dlq: env.KAFKA_TOPIC_DLQ },
    ordersPartitions: env.KAFKA_TOPIC_PARTITIONS,
    dlqPartitions: env.KAFKA_TOPIC_DLQ_PARTITIONS,
    replicationFactor: env.KAFKA_REPLICATION_FACTOR,
    // acks=all is acknowledged once this many replicas have a write: with 3 replicas and 2 in sync,
    // one broker may be down and writes go on, and an acknowledged write is on two brokers.
    minInsyncReplicas:
      env.KAFKA_MIN_INSYNC_REPLICAS ?? Math.max(1, Math.min(2, env.KAFKA_REPLICATION_FACTOR - 1)),
  };
}

export const kafkaConfig = registerAs('kafka', () => kafkaSettingsOf(readEnv()));

export type KafkaConfig = ConfigType<typeof kafkaConfig>;
