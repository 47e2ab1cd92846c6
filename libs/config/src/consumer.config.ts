import { ConfigType, registerAs } from '@nestjs/config';
import { readEnv } from './env';

export const consumerConfig = registerAs('consumer', () => {
  const env = readEnv();
  return {
    groupId: env.KAFKA_CONSUMER_GROUP,
    concurrency: env.CONSUMER_CONCURRENCY,
    batchMax: env.CONSUMER_BATCH_MAX,
  };
});

export type ConsumerConfig = ConfigType<typeof consumerConfig>;
