import request from 'supertest';
import { RunningConsumer, startConsumer } from '../support/apps';
import { checkDelivery } from '../support/delivery-checker';
import { caughtUp, createTopics, E2eContext, setUpE2e } from '../support/e2e-context';
import { eventually } from '../support/eventually';
import { groupStable, produceMany } from '../support/kafka-helpers';
import { asRecord, generateOrders } from '../support/orders';
import { proxyToDatabase, TcpProxy, viaProxy } from '../support/tcp-proxy';

describe('fault: a second consumer joins while the first waits out a database outage', () => {
  let ctx: E2eContext;
  let proxy: TcpProxy;
  const consumers: RunningConsumer[] = [];

  beforeAll(async () => {
    ctx = await setUpE2e('rebalance_outage');
    proxy = await proxyToDatabase(ctx.databaseUrl);
  });

  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.close()));
    await proxy?.close();
    await ctx?.close();
  });

  it('settles the group within 15 s, the newcomer works meanwhile, and every order is stored once', async () => {
    await createTopics(ctx);
    const [waiting] = [await startConsumer({ DATABASE_URL: viaProxy(ctx.databaseUrl, proxy) })];
    consumers.push(waiting);
    proxy.cut();
    await produceMany(ctx.kafka, ctx.topics.orders, generateOrders(3_000, 29).map(asRecord));
    await eventually('the first consumer to wait for the database', async () => {
      const res = await request(waiting.url).get('/health/ready');
      return res.status === 503 && JSON.stringify(res.body).includes('waiting for database');
    });

    const joinedAt = Date.now();
    const newcomer = await startConsumer();
    consumers.push(newcomer);
    await eventually(
      'the group to settle with both members',
      () => groupStable(ctx.kafka, ctx.group, ctx.topics.orders, 2),
      {
        timeoutMs: 15_000,
      },
    );
    process.stdout.write(
      `[rebalance-outage] group settled ${Date.now() - joinedAt} ms after the second consumer started\n`,
    );
    // The newcomer stores its partitions' orders while the first still waits for its database.
    await eventually(
      'the newcomer to store orders during the outage',
      () => newcomer.stats.totals.stored > 0,
    );
    expect(waiting.stats.totals.stored).toBe(0);

    proxy.restore();
    await caughtUp(ctx);
    const report = await checkDelivery(ctx, 'rebalance-outage');
    expect(report.problems).toEqual([]);
    expect(report.stored).toBe(report.produced);
    expect(report.deadLettered).toEqual({});
    expect(consumers.map((c) => c.state.readiness().consumer.ready)).toEqual([true, true]);
  });
});
