import { Client } from 'pg';
import request from 'supertest';
import { RunningConsumer, RunningProducer, startConsumer, startProducer } from '../support/apps';
import { checkDelivery } from '../support/delivery-checker';
import { caughtUp, E2eContext, setUpE2e } from '../support/e2e-context';
import { eventually } from '../support/eventually';
import { countOrders } from '../support/orders';

const FAULT_MS = 30_000;

/**
 * A database that answers but refuses: after a fail-over that left DATABASE_URL on a read-only
 * node (SQLSTATE 25006), or after INSERT was revoked from the consumer's role (42501). Every
 * order is fine; none may be dead-lettered for it.
 */
describe('fault: the database answers but refuses writes for 30 s while orders flow at 100/s', () => {
  let ctx: E2eContext;
  let consumer: RunningConsumer;
  let producer: RunningProducer | undefined;
  let database: string;
  let role: string;
  /** Works the faults from the server's maintenance database, which the read-only default does not reach. */
  let admin: Client;

  beforeAll(async () => {
    ctx = await setUpE2e('db_refuses');
    admin = new Client({ connectionString: process.env.TEST_POSTGRES_URL });
    await admin.connect();
    database = new URL(ctx.databaseUrl).pathname.slice(1);
    // Its own role, not a superuser (privileges do not bind a superuser). It owns what its
    // migrations create, and a table owner can still lose its own INSERT privilege.
    role = `${database}_writer`.slice(0, 63);
    await admin.query(`DROP ROLE IF EXISTS "${role}"`);
    await admin.query(`CREATE ROLE "${role}" LOGIN`);
    await ctx.db.query(`GRANT CREATE ON SCHEMA public TO "${role}"`);
    const url = new URL(ctx.databaseUrl);
    url.username = role;
    url.password = '';
    consumer = await startConsumer({ DATABASE_URL: url.toString() });
  });

  afterAll(async () => {
    await producer?.close();
    await consumer?.close();
    await ctx?.close();
    await admin?.query(`DROP ROLE IF EXISTS "${role}"`).finally(() => admin.end());
  });

  /** Ends every session of the database: the next connections start with its new defaults. */
  const endSessions = () =>
    admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [database]);

  async function refuseFor30s(
    name: string,
    refuse: () => Promise<unknown>,
    allow: () => Promise<unknown>,
    sqlState: string,
  ) {
    producer = await startProducer({ PRODUCER_RATE: '100', PRODUCER_DURATION_S: '40' });
    const before = await countOrders(ctx.db);
    await eventually('orders to be stored', async () => (await countOrders(ctx.db)) > before + 100);

    await refuse();
    const faultAt = Date.now();
    const down = await eventually(`readiness to name SQLSTATE ${sqlState}`, async () => {
      const res = await request(consumer.url).get('/health/ready');
      const text = JSON.stringify(res.body);
      return res.status === 503 && text.includes(sqlState) ? text : undefined;
    });
    process.stdout.write(`[${name}] readiness during the fault: ${down.slice(0, 300)}\n`);
    let lastReadiness = 0;
    await eventually(
      'the fault to last 30 s',
      async () => {
        lastReadiness = (await request(consumer.url).get('/health/ready')).status;
        return Date.now() - faultAt >= FAULT_MS;
      },
      { timeoutMs: FAULT_MS + 10_000, intervalMs: 1_000 },
    );
    expect(lastReadiness).toBe(503);
    expect(consumer.stats.totals.invalid + consumer.stats.totals.unexpected).toBe(0);

    await allow();
    const healedAt = Date.now();
    await producer.finished;
    await caughtUp(ctx);
    process.stdout.write(`[${name}] caught up ${Date.now() - healedAt} ms after the fault ended\n`);
    await producer.close();
    producer = undefined;
    expect((await request(consumer.url).get('/health/ready')).status).toBe(200);

    const report = await checkDelivery(ctx, name);
    expect(report.problems).toEqual([]);
    expect(report.deadLettered).toEqual({});
    expect(report.stored).toBe(report.produced);
  }

  it('waits out a database turned read-only (a fail-over onto a standby): 0 dead letters, caught up without a restart', async () => {
    await refuseFor30s(
      'read-only-database',
      async () => {
        await admin.query(`ALTER DATABASE "${database}" SET default_transaction_read_only = on`);
        await endSessions();
      },
      async () => {
        await admin.query(`ALTER DATABASE "${database}" SET default_transaction_read_only = off`);
        await endSessions();
      },
      '25006',
    );
  });

  it('waits out INSERT revoked from its role: 0 dead letters, caught up without a restart', async () => {
    await refuseFor30s(
      'insert-revoked',
      () => ctx.db.query(`REVOKE INSERT ON orders FROM "${role}"`),
      () => ctx.db.query(`GRANT INSERT ON orders TO "${role}"`),
      '42501',
    );
  });
});
