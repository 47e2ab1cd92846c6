import request from 'supertest';
import { RunningConsumer, RunningProducer, startConsumer, startProducer } from '../support/apps';
import { checkDelivery } from '../support/delivery-checker';
import { caughtUp, E2eContext, setUpE2e } from '../support/e2e-context';
import { eventually } from '../support/eventually';
import { proxyToDatabase, TcpProxy, viaProxy } from '../support/tcp-proxy';

const OUTAGE_MS = 30_000;

describe('fault: the database goes away for 30 s while orders flow at 200/s', () => {
  let ctx: E2eContext;
  let proxy: TcpProxy;
  let consumer: RunningConsumer;
  let producer: RunningProducer;

  beforeAll(async () => {
    ctx = await setUpE2e('db_outage');
    proxy = await proxyToDatabase(ctx.databaseUrl);
    consumer = await startConsumer({ DATABASE_URL: viaProxy(ctx.databaseUrl, proxy) });
  });

  afterAll(async () => {
    await producer?.close();
    await consumer?.close();
    await proxy?.close();
    await ctx?.close();
  });

  it('waits the outage out: readiness goes 503 then 200, nothing is dead-lettered, everything is stored', async () => {
    producer = await startProducer({ PRODUCER_RATE: '200', PRODUCER_DURATION_S: '45' });
    await eventually(
      'orders to be stored',
      async () => (await ctx.db.query('SELECT 1 FROM orders LIMIT 1')).rowCount,
    );

    proxy.cut();
    const cutAt = Date.now();
    const down = await eventually('readiness to report the database', async () => {
      const res = await request(consumer.url).get('/health/ready');
      const body = res.body as { error?: Record<string, unknown> };
      // Both the ping and the consumer's own wait name the database once a write has failed.
      return res.status === 503 && body.error?.database && body.error?.processing ? body : undefined;
    });
    expect(Object.keys(down.error!)).toEqual(expect.arrayContaining(['database', 'processing']));
    expect(JSON.stringify(down.error)).toMatch(/waiting for database/);

    await eventually('the outage to last 30 s', () => Date.now() - cutAt >= OUTAGE_MS, {
      timeoutMs: OUTAGE_MS + 5_000,
      intervalMs: 500,
    });
    expect((await request(consumer.url).get('/health/ready')).status).toBe(503);
    proxy.restore();
    await eventually(
      'readiness to recover',
      async () => (await request(consumer.url).get('/health/ready')).status === 200,
      {
        timeoutMs: 60_000,
      },
    );

    await producer.finished;
    await caughtUp(ctx);
    const report = await checkDelivery(ctx, 'database-outage');
    expect(report.problems).toEqual([]);
    expect(report.deadLettered).toEqual({});
    expect(report.stored).toBe(report.produced);
    expect(report.produced).toBeGreaterThan(6_000);
    expect(consumer.stats.totals.retries).toBeGreaterThan(0);
  });
});
