import { ConfigType, registerAs } from '@nestjs/config';
import { EnvReader } from './env-reader';

export const consumerConfig = registerAs('consumer', () => {
  const env = new EnvReader();
  return env.done({
    groupId: env.string('KAFKA_CONSUMER_GROUP', 'order-processors'),
    concurrency: env.integer('CONSUMER_CONCURRENCY', 3, 1, 1000),
  });
});

export type ConsumerConfig = ConfigType<typeof consumerConfig>;
