import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client, Pool } from 'pg';
import { cacheDir, ROOT } from '../tools/lib/paths';
import { freePort } from '../tools/lib/ports';
import { answers } from '../tools/lib/processes';
import { embeddedPostgresForced } from '../tools/postgres/choose-postgres';
import { removeLeftoverClusters } from '../tools/postgres/leftover-clusters';
import { LocalPostgres } from '../tools/postgres/local-postgres';
import { serverOfKilledRun } from './support/killed-run';
import { RunningConsumer, spawnBuiltApp, startConsumer, startProducer } from './support/apps';
import { E2eContext, setUpE2e } from './support/e2e-context';
import { eventually } from './support/eventually';
import { produceRaw } from './support/kafka-helpers';
import { asRecord, countOrders, generateOrders } from './support/orders';

/** `npm run postgres:<command>` as a user runs it: its exit code and its output lines. */
async function postgresCommand(command: 'start' | 'stop', env: Record<string, string>) {
  const run = promisify(execFile)(
    process.execPath,
    ['-r', 'ts-node/register', 'tools/postgres/dev-server.ts', command],
    {
      cwd: ROOT,
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true', ...env },
    },
  );
  const { stdout } = await run;
  return stdout.trim().split('\n');
}

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

describe('the embedded PostgreSQL (no server to install)', () => {
  let ctx: E2eContext;
  let server: LocalPostgres | undefined;
  let consumer: RunningConsumer | undefined;
  let runsDir: string;

  beforeAll(async () => {
    ctx = await setUpE2e('local-postgres');
    // Not the shared .cache/postgres-runs: the run's own embedded server may be there.
    runsDir = cacheDir(`postgres-runs-test-${process.pid}`);
  });

  afterAll(async () => {
    await consumer?.close();
    await server?.destroy();
    await removeLeftoverClusters(runsDir);
    await ctx?.close();
  });

  it('runs a real PostgreSQL from the npm registry on 127.0.0.1, stores the pipeline`s orders, and leaves nothing when stopped', async () => {
    server = await LocalPostgres.start({ dataDir: join(runsDir, 'cluster'), log: () => undefined });
    const [settings] = await query<{ version: string; encoding: string; listen: string }>(
      server.urlFor(),
      `SELECT current_setting('server_version') AS version, current_setting('server_encoding') AS encoding,
              current_setting('listen_addresses') AS listen`,
    );
    expect(settings).toEqual({
      version: expect.stringMatching(/^1[5-9]\./),
      encoding: 'UTF8',
      listen: '127.0.0.1',
    });

    await query(server.urlFor(), 'CREATE DATABASE orders_here');
    consumer = await startConsumer({ DATABASE_URL: server.urlFor('orders_here') });
    const orders = generateOrders(20);
    await produceRaw(ctx.kafka, ctx.topics.orders, orders.map(asRecord));
    const db = new Pool({ connectionString: server.urlFor('orders_here'), max: 1 });
    try {
      await eventually(
        'the orders to be stored in the embedded server',
        async () => (await countOrders(db)) === 20,
      );
    } finally {
      await db.end();
    }
    await consumer.close();
    consumer = undefined;

    const { port, dataDir } = server;
    await server.destroy();
    server = undefined;
    expect({ answers: await answers('127.0.0.1', port), cluster: existsSync(dataDir) }).toEqual({
      answers: false,
      cluster: false,
    });
  });

  it('a cluster whose run was killed (kill -9) is stopped and deleted by the next start, or demo:reset', async () => {
    const port = await serverOfKilledRun('LocalPostgres', runsDir);
    expect(await answers('127.0.0.1', port)).toBe(true); // the server outlives the process that started it
    const ours = join(runsDir, `run-2-${process.pid}`); // a run still going: left alone
    mkdirSync(ours, { recursive: true });

    expect(await removeLeftoverClusters(runsDir, { onlyOrphans: true })).toBe(1);
    expect({ answers: await answers('127.0.0.1', port), left: readdirSync(runsDir) }).toEqual({
      answers: false,
      left: [`run-2-${process.pid}`],
    });
    expect(await removeLeftoverClusters(runsDir)).toBe(1); // demo:reset: every cluster
    expect(existsSync(runsDir)).toBe(false);
  });

  it('postgres:start runs one for the apps to use, outliving the command; postgres:stop stops it, keeping the orders', async () => {
    const env = {
      POSTGRES_LOCAL_DATA: join(runsDir, 'dev'),
      POSTGRES_LOCAL_PORT: String(await freePort()),
    };
    try {
      const started = await postgresCommand('start', env);
      const url = /^DATABASE_URL=(\S+)$/.exec(started.at(-1) ?? '')?.[1];
      expect(url).toBe(`postgres://postgres@127.0.0.1:${env.POSTGRES_LOCAL_PORT}/orders`);

      // The two apps, as "Running the apps yourself" starts them, with that DATABASE_URL.
      consumer = await startConsumer({ DATABASE_URL: url! });
      const producer = await startProducer({ PRODUCER_MAX_ORDERS: '20', PRODUCER_RATE: '100' });
      await producer.finished;
      await producer.close();
      const db = new Pool({ connectionString: url, max: 1 });
      try {
        await eventually('the 20 orders to be stored', async () => (await countOrders(db)) === 20);
      } finally {
        await db.end();
      }
      await consumer.close();
      consumer = undefined;

      expect((await postgresCommand('stop', env)).at(-1)).toMatch(/^the embedded PostgreSQL is stopped/);
      expect(await answers('127.0.0.1', Number(env.POSTGRES_LOCAL_PORT))).toBe(false);
      await postgresCommand('start', env);
      expect(await query(url!, 'SELECT count(*)::int AS n FROM orders')).toEqual([{ n: 20 }]);
    } finally {
      await postgresCommand('stop', env);
      rmSync(env.POSTGRES_LOCAL_DATA, { recursive: true, force: true });
    }
  });

  it('a PostgreSQL that wants a password, and a DATABASE_URL without one: the consumer and the demo say so at once, in one line', async () => {
    const secured = await LocalPostgres.start({
      dataDir: join(runsDir, 'scram'),
      password: 'not-in-the-url',
      log: () => undefined,
    });
    try {
      // It is a real scram-sha-256 server: with the password, it answers.
      expect(await query(secured.urlFor(), 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
      const withoutPassword = `postgres://postgres@127.0.0.1:${secured.port}/postgres`;

      const startedAt = Date.now();
      const consumer = spawnBuiltApp('order-consumer', {
        ...ctx.env,
        DATABASE_URL: withoutPassword,
        HTTP_PORT: '0',
      });
      expect((await consumer.exited).code).toBe(1);
      const seconds = (Date.now() - startedAt) / 1000;
      process.stdout.write(`[local-postgres] consumer, no password: exit 1 after ${seconds.toFixed(1)} s\n`);
      expect(seconds).toBeLessThan(10); // not the 60 s a database that is not there yet gets
      expect(consumer.output).toHaveLength(1);
      expect(JSON.parse(consumer.output[0])).toMatchObject({
        msg: 'failed to start',
        dependency: 'database',
        fix: expect.stringContaining('the server wants a password: put it in DATABASE_URL'),
      });

      const demoStartedAt = Date.now();
      const demo = await promisify(execFile)(
        process.execPath,
        ['-r', 'ts-node/register', 'tools/demo/main.ts'],
        {
          cwd: ROOT,
          env: { ...process.env, ...ctx.env, DATABASE_URL: withoutPassword, TS_NODE_TRANSPILE_ONLY: 'true' },
        },
      ).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code: number; stderr: string }) => error,
      );
      expect(demo.code).toBe(1);
      // It exits too, instead of hanging a minute on the socket pg left open.
      expect((Date.now() - demoStartedAt) / 1000).toBeLessThan(15);
      expect(demo.stderr.trim().split('\n').at(-1)).toMatch(
        /^demo failed: PostgreSQL at 127\.0\.0\.1:\d+ cannot be used \(.*password.*\): it wants a password: set DATABASE_URL with one/,
      );
    } finally {
      await secured.destroy();
    }
  });

  it('EMBEDDED_POSTGRES accepts true or false and names itself otherwise', () => {
    expect(
      [undefined, 'false', '0', 'true', '1', 'TRUE'].map((v) =>
        embeddedPostgresForced({ EMBEDDED_POSTGRES: v }),
      ),
    ).toEqual([false, false, false, true, true, true]);
    expect(() => embeddedPostgresForced({ EMBEDDED_POSTGRES: 'yes' })).toThrow(
      'EMBEDDED_POSTGRES="yes" is invalid: expected true or false (default false)',
    );
  });
});
