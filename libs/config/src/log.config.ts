import { ConfigType, registerAs } from '@nestjs/config';
import { readEnv } from './env';

export const logConfig = registerAs('log', () => {
  const env = readEnv();
  return { level: env.LOG_LEVEL, format: env.LOG_FORMAT, file: env.LOG_FILE };
});

export type LogConfig = ConfigType<typeof logConfig>;

/**
 * The LOG_* settings read on their own, for the line that reports a failed start-up: another bad
 * setting must not hide where the app's lines go. The defaults when these are what is wrong.
 */
export function logConfigAlone(): LogConfig {
  const { LOG_LEVEL, LOG_FORMAT, LOG_FILE } = process.env;
  try {
    const env = readEnv({ LOG_LEVEL, LOG_FORMAT, LOG_FILE });
    return { level: env.LOG_LEVEL, format: env.LOG_FORMAT, file: env.LOG_FILE };
  } catch {
    const defaults = readEnv({});
    return { level: defaults.LOG_LEVEL, format: defaults.LOG_FORMAT, file: undefined };
  }
}
