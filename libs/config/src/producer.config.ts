import { ConfigType, registerAs } from '@nestjs/config';
import { EnvReader } from './env-reader';

export const producerConfig = registerAs('producer', () => {
  const env = new EnvReader();
  return env.done({
    ratePerSecond: env.positiveNumber('PRODUCER_RATE', 10, 100_000),
    maxOrders: env.integer('PRODUCER_MAX_ORDERS', 0, 0, Number.MAX_SAFE_INTEGER),
    durationSeconds: env.integer('PRODUCER_DURATION_S', 0, 0, 31_536_000),
    seed: env.integer('MOCK_SEED', 42, 0, 2 ** 31 - 1),
  });
});

export type ProducerConfig = ConfigType<typeof producerConfig>;
