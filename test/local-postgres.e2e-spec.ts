import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import {
  answers,
  embeddedPostgresForced,
  LocalPostgres,
  removeLeftoverClusters,
} from '../tools/local-postgres';
import { serverOfKilledRun } from './support/killed-run';
import { RunningConsumer, startConsumer } from './support/apps';
import { E2eContext, setUpE2e } from './support/e2e-context';
import { eventually } from './support/eventually';
import { produceRaw } from './support/kafka-helpers';
import { asRecord, countOrders, generateOrders } from './support/orders';

const ROOT = join(__dirname, '..');

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
    runsDir = join(ROOT, '.cache', `postgres-runs-test-${process.pid}`);
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
