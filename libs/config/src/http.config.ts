import { ConfigType, registerAs } from '@nestjs/config';
import { readEnv } from './env';

// Both apps read HTTP_PORT; only their defaults differ, so each loads its own namespace under one key.
export const producerHttpConfig = registerAs('http', () => ({ port: readEnv().HTTP_PORT ?? 3001 }));

export const consumerHttpConfig = registerAs('http', () => ({ port: readEnv().HTTP_PORT ?? 3002 }));

export type HttpConfig = ConfigType<typeof producerHttpConfig>;
