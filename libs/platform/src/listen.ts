import { INestApplication, Logger } from '@nestjs/common';
import { AddressInfo } from 'node:net';
import { StartupError } from './startup';

/**
 * Starts HTTP (health, metrics) and logs the port actually bound, which matters when HTTP_PORT=0.
 * A port already taken (a second consumer started beside the first) closes the app and fails in one
 * line naming HTTP_PORT.
 */
export async function listen(app: INestApplication, port: number): Promise<number> {
  try {
    await app.listen(port);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    await app.close();
    throw new StartupError(
      'HTTP port',
      `${port} is already in use (another app, or a second instance of this one)`,
      'set HTTP_PORT to a free port, e.g. HTTP_PORT=3012 for a second consumer (HTTP_PORT=0 picks any)',
    );
  }
  const bound = (app.getHttpServer() as { address(): AddressInfo }).address().port;
  new Logger('Http').log({ msg: 'listening', port: bound });
  return bound;
}
