import { ConfigType, registerAs } from '@nestjs/config';
import { readEnv } from './env';

export const logConfig = registerAs('log', () => {
  const env = readEnv();
  return { level: env.LOG_LEVEL, format: env.LOG_FORMAT, file: env.LOG_FILE };
});

export type LogConfig = ConfigType<typeof logConfig>;
