import { ConfigType, registerAs } from '@nestjs/config';
import { EnvReader } from './env-reader';

export const startupConfig = registerAs('startup', () => {
  const env = new EnvReader();
  return env.done({
    // How long an app waits at start-up for a dependency that refuses or does not answer (still
    // starting, e.g. under compose) before it gives up with one line naming it.
    waitSeconds: env.integer('STARTUP_WAIT_S', 60, 0, 3_600),
  });
});

export type StartupConfig = ConfigType<typeof startupConfig>;
