import { StartupError } from '@app/platform';
import { once } from 'node:events';
import { AddressInfo, createServer, Server, Socket } from 'node:net';
import { waitForDatabase } from './wait-for-database';

/** An 'R' (authentication) message of the PostgreSQL protocol: its code, then its payload. */
function authentication(code: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(9);
  header.write('R', 0);
  header.writeInt32BE(8 + payload.length, 1);
  header.writeInt32BE(code, 5);
  return Buffer.concat([header, payload]);
}

/**
 * What a stock PostgreSQL (scram-sha-256, as Debian's, Ubuntu's and the Docker image's are) answers
 * a client that connects: SASL with SCRAM-SHA-256, then the server's first SCRAM message.
 */
async function serverWantingAPassword(): Promise<{ server: Server; hungUp: Array<Promise<unknown>> }> {
  const hungUp: Array<Promise<unknown>> = [];
  const server = createServer((socket: Socket) => {
    hungUp.push(once(socket, 'close'));
    let step = 0;
    socket.on('data', () => {
      step += 1;
      if (step === 1) socket.write(authentication(10, Buffer.from('SCRAM-SHA-256\0\0')));
      if (step === 2) socket.write(authentication(11, Buffer.from('r=nonce,s=QSXCR+Q6sek8bf92,i=4096')));
    });
    socket.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, hungUp };
}

describe(waitForDatabase.name, () => {
  it('fails at once, naming the password, when the server wants one and DATABASE_URL has none', async () => {
    const { server, hungUp } = await serverWantingAPassword();
    const { port } = server.address() as AddressInfo;
    const logger = { warn: jest.fn() };
    const startedAt = Date.now();
    try {
      const waiting = waitForDatabase(
        { url: `postgres://postgres@127.0.0.1:${port}/orders`, poolSize: 1 },
        60,
        logger,
      );
      await expect(waiting).rejects.toBeInstanceOf(StartupError);
      await waiting.catch((error: StartupError) => {
        expect(error.reason).toContain('client password must be a string');
        expect(error.fix).toContain('put it in DATABASE_URL');
      });
      // Not the 60 s wait for a server that does not answer yet.
      expect(Date.now() - startedAt).toBeLessThan(5_000);
      expect(logger.warn).not.toHaveBeenCalled();
      // The consumer hung up: no connection is left open behind a failed login.
      await Promise.all(hungUp);
    } finally {
      await new Promise((closed) => server.close(closed));
    }
  });
});
