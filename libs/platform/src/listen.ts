import { INestApplication, Logger } from '@nestjs/common';
import { AddressInfo } from 'node:net';

/** Starts HTTP (health, metrics) and logs the port actually bound, which matters when HTTP_PORT=0. */
export async function listen(app: INestApplication, port: number): Promise<number> {
  await app.listen(port);
  const bound = (app.getHttpServer() as { address(): AddressInfo }).address().port;
  new Logger('Http').log({ msg: 'listening', port: bound });
  return bound;
}
