import { ConfigType, registerAs } from '@nestjs/config';
import { EnvReader } from './env-reader';

export const consumerConfig = registerAs('consumer', () => {
  const env = new EnvReader();
  return env.done({
    groupId: env.string('KAFKA_CONSUMER_GROUP', 'order-processors'),
    concurrency: env.integer('CONSUMER_CONCURRENCY', 3, 1, 1000),
    // One INSERT per batch: 6 bind parameters a row, and PostgreSQL takes at most 65,535.
    batchMax: env.integer('CONSUMER_BATCH_MAX', 1_000, 1, 10_000),
  });
});

export type ConsumerConfig = ConfigType<typeof consumerConfig>;
