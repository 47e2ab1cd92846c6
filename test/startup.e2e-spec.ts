import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort } from '../tools/lib/ports';
import { spawnBuiltApp } from './support/apps';
import { E2eContext, setUpE2e } from './support/e2e-context';

describe('start-up failures: one line naming the dependency, the cause and the fix', () => {
  let ctx: E2eContext;

  beforeAll(async () => {
    ctx = await setUpE2e('startup');
  });

  afterAll(async () => {
    await ctx?.close();
  });

  async function start(app: 'order-consumer' | 'order-producer', env: Record<string, string>) {
    const startedAt = Date.now();
    const child = spawnBuiltApp(app, { ...ctx.env, LOG_LEVEL: 'info', ...env });
    const { code } = await child.exited;
    const lines = child.output.map((line) => JSON.parse(line) as Record<string, unknown>);
    return { code, seconds: (Date.now() - startedAt) / 1000, lines, failure: lines.at(-1)! };
  }

  it('fails at once for a database that does not exist, with the command that creates it', async () => {
    const url = new URL(ctx.databaseUrl);
    url.pathname = '/no_such_database';
    const { code, seconds, lines, failure } = await start('order-consumer', { DATABASE_URL: url.toString() });
    process.stdout.write(
      `[startup] unknown database: exit ${code} after ${seconds.toFixed(1)} s: ${JSON.stringify(failure)}\n`,
    );
    expect(code).toBe(1);
    expect(lines).toHaveLength(1);
    expect(failure).toMatchObject({ level: 60, msg: 'failed to start', dependency: 'database' });
    expect(failure.fix).toContain('createdb');
  });

  it('writes its start-up lines where the app logs: LOG_FILE', async () => {
    const url = new URL(ctx.databaseUrl);
    url.pathname = '/no_such_database';
    const file = join(mkdtempSync(join(tmpdir(), 'startup-')), 'consumer.log');
    const { code, lines } = await start('order-consumer', { DATABASE_URL: url.toString(), LOG_FILE: file });
    expect(code).toBe(1);
    expect(lines).toEqual([]);
    const logged = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logged.at(-1)).toMatchObject({ level: 60, app: 'order-consumer', dependency: 'database' });
    rmSync(dirname(file), { recursive: true, force: true });
  });

  it('waits a bounded time for a database that refuses, saying so, then fails naming it', async () => {
    const url = new URL(ctx.databaseUrl);
    url.port = String(await freePort());
    const { code, seconds, lines, failure } = await start('order-consumer', {
      DATABASE_URL: url.toString(),
      STARTUP_WAIT_S: '7',
    });
    process.stdout.write(
      `[startup] refused database: exit ${code} after ${seconds.toFixed(1)} s, ${lines.length} lines\n`,
    );
    expect(code).toBe(1);
    expect(lines.slice(0, -1).every((line) => line.msg === 'waiting for the database')).toBe(true);
    expect(lines.length).toBeGreaterThan(1);
    expect(failure).toMatchObject({
      msg: 'failed to start',
      dependency: 'database',
      reason: expect.stringContaining('ECONNREFUSED'),
    });
  });

  it('a second consumer on a taken HTTP port fails in one line naming HTTP_PORT, without joining the group', async () => {
    const taken = createServer().listen(0, '127.0.0.1');
    await once(taken, 'listening');
    try {
      const { port } = taken.address() as AddressInfo;
      const { code, seconds, lines, failure } = await start('order-consumer', { HTTP_PORT: String(port) });
      process.stdout.write(
        `[startup] HTTP port taken: exit ${code} after ${seconds.toFixed(1)} s: ${JSON.stringify(failure)}\n`,
      );
      expect(code).toBe(1);
      expect(failure).toMatchObject({ level: 60, msg: 'failed to start', dependency: 'HTTP port' });
      expect(failure.fix).toContain('HTTP_PORT');
      // It never took partitions from the group, so it had none to hand back.
      expect(lines.some((line) => line.msg === 'joined consumer group')).toBe(false);
    } finally {
      taken.close();
    }
  });

  it('names the Kafka broker when none answers', async () => {
    const { code, lines, failure } = await start('order-producer', {
      KAFKA_BROKERS: `127.0.0.1:${await freePort()}`,
      STARTUP_WAIT_S: '3',
    });
    expect(code).toBe(1);
    expect(lines.every((line) => typeof line.msg === 'string')).toBe(true);
    expect(failure).toMatchObject({
      msg: 'failed to start',
      dependency: 'Kafka broker',
      fix: expect.stringContaining('KAFKA_BROKERS'),
    });
  });
});
