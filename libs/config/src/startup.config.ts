import { ConfigType, registerAs } from '@nestjs/config';
import { readEnv } from './env';

export const startupConfig = registerAs('startup', () => ({ waitSeconds: readEnv().STARTUP_WAIT_S }));

export type StartupConfig = ConfigType<typeof startupConfig>;
