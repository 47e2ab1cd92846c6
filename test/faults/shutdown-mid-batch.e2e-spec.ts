import request from 'supertest';
import {
  killSpawnedApps,
  RunningConsumer,
  RunningProducer,
  spawnApp,
  startConsumer,
  startProducer,
} from '../support/apps';
import { checkDelivery } from '../support/delivery-checker';
import { caughtUp, E2eContext, setUpE2e } from '../support/e2e-context';
import { eventually } from '../support/eventually';
import { countOrders } from '../support/orders';
import { proxyToDatabase, TcpProxy, viaProxy } from '../support/tcp-proxy';

describe('fault: SIGTERM while a batch waits on a silent database', () => {
  let ctx: E2eContext;
  let proxy: TcpProxy;
  let producer: RunningProducer;
  let restarted: RunningConsumer;

  beforeAll(async () => {
    ctx = await setUpE2e('sigterm_mid_batch');
    proxy = await proxyToDatabase(ctx.databaseUrl);
  });

  afterAll(async () => {
    await producer?.close();
    await restarted?.close();
    await killSpawnedApps();
    await proxy?.close();
    await ctx?.close();
  });

  it('abandons the batch uncommitted, leaves the group and exits within 10 s; the next owner stores everything', async () => {
    const consumer = spawnApp('order-consumer', {
      ...ctx.env,
      DATABASE_URL: viaProxy(ctx.databaseUrl, proxy),
    });
    const url = `http://127.0.0.1:${await consumer.httpPort()}`;
    producer = await startProducer({ PRODUCER_RATE: '100', PRODUCER_DURATION_S: '20' });
    await eventually('orders to be stored', async () => (await countOrders(ctx.db)) > 100);

    // The link stays open and carries nothing: the statement in flight waits for its query_timeout (12 s).
    proxy.silence(30_000);
    await eventually('readiness to see the silent database', async () => {
      const res = await request(url).get('/health/ready');
      return res.status === 503 && JSON.stringify(res.body).includes('database');
    });
    const stoppedAt = Date.now();
    consumer.child.kill('SIGTERM');
    const { code } = await consumer.exited;
    const stopSeconds = (Date.now() - stoppedAt) / 1000;
    process.stdout.write(`[shutdown-mid-batch] exit code ${code} after ${stopSeconds.toFixed(1)} s\n`);
    expect(stopSeconds).toBeLessThan(10);
    expect(code).toBe(0);

    // It left the group: the next consumer gets the partitions at once, not after a session timeout.
    const joinAt = Date.now();
    restarted = await startConsumer();
    process.stdout.write(`[shutdown-mid-batch] next consumer joined in ${Date.now() - joinAt} ms\n`);
    await producer.finished;
    await caughtUp(ctx);
    const report = await checkDelivery(ctx, 'shutdown-mid-batch');
    expect(report.problems).toEqual([]);
    expect(report.deadLettered).toEqual({});
    expect(report.stored).toBe(report.produced);
  });
});
