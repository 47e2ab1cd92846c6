import { ConfigType, registerAs } from '@nestjs/config';
import { readEnv } from './env';

export const producerConfig = registerAs('producer', () => {
  const env = readEnv();
  return {
    ratePerSecond: env.PRODUCER_RATE,
    maxOrders: env.PRODUCER_MAX_ORDERS,
    durationSeconds: env.PRODUCER_DURATION_S,
    seed: env.MOCK_SEED,
  };
});

export type ProducerConfig = ConfigType<typeof producerConfig>;
