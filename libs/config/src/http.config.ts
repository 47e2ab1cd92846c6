import { ConfigType, registerAs } from '@nestjs/config';
import { EnvReader } from './env-reader';

// Both apps read HTTP_PORT; only their defaults differ, so each loads its own namespace under one key.
export const producerHttpConfig = registerAs('http', () => {
  const env = new EnvReader();
  return env.done({ port: env.port('HTTP_PORT', 3001) });
});

export const consumerHttpConfig = registerAs('http', () => {
  const env = new EnvReader();
  return env.done({ port: env.port('HTTP_PORT', 3002) });
});

export type HttpConfig = ConfigType<typeof producerHttpConfig>;
