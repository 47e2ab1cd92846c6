import { ConfigType, registerAs } from '@nestjs/config';
import { EnvReader } from './env-reader';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const logConfig = registerAs('log', () => {
  const env = new EnvReader();
  return env.done({
    level: env.oneOf('LOG_LEVEL', 'info', LOG_LEVELS),
    format: env.oneOf('LOG_FORMAT', 'json', ['json', 'pretty'] as const),
  });
});

export type LogConfig = ConfigType<typeof logConfig>;
