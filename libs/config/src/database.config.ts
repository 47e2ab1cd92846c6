import { ConfigType, registerAs } from '@nestjs/config';
import { EnvReader } from './env-reader';

export const databaseConfig = registerAs('database', () => {
  const env = new EnvReader();
  return env.done({
    url: env.postgresUrl('DATABASE_URL', 'postgres://postgres:postgres@localhost:5432/orders'),
    poolSize: env.integer('DB_POOL_SIZE', 10, 1, 500),
  });
});

export type DatabaseConfig = ConfigType<typeof databaseConfig>;
