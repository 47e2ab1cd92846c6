import { ConfigType, registerAs } from '@nestjs/config';
import { readEnv } from './env';

export const databaseConfig = registerAs('database', () => {
  const env = readEnv();
  return { url: env.DATABASE_URL, poolSize: env.DB_POOL_SIZE };
});

export type DatabaseConfig = ConfigType<typeof databaseConfig>;
