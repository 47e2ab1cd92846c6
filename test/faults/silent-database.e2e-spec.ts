import { RunningConsumer, RunningProducer, startConsumer, startProducer } from '../support/apps';
import { checkDelivery } from '../support/delivery-checker';
import { caughtUp, E2eContext, setUpE2e } from '../support/e2e-context';
import { eventually } from '../support/eventually';
import { endOffsets } from '../support/kafka-helpers';
import { countOrders } from '../support/orders';
import { proxyToDatabase, TcpProxy, viaProxy } from '../support/tcp-proxy';

const SILENCE_MS = 10_000;

describe('fault: the database link goes silent for 10 s (connections stay open, carry nothing)', () => {
  let ctx: E2eContext;
  let proxy: TcpProxy;
  let consumer: RunningConsumer;
  let producer: RunningProducer;

  beforeAll(async () => {
    ctx = await setUpE2e('silent_db');
    proxy = await proxyToDatabase(ctx.databaseUrl);
    consumer = await startConsumer({ DATABASE_URL: viaProxy(ctx.databaseUrl, proxy) });
  });

  afterAll(async () => {
    await producer?.close();
    await consumer?.close();
    await proxy?.close();
    await ctx?.close();
  });

  it('drops the dead connections and catches up without a restart, nothing dead-lettered', async () => {
    producer = await startProducer({ PRODUCER_RATE: '200', PRODUCER_DURATION_S: '40' });
    await eventually('orders to be stored', async () => (await countOrders(ctx.db)) > 500);
    proxy.silence(SILENCE_MS);
    const healedAt = Date.now() + SILENCE_MS;
    await eventually('the link to heal', () => Date.now() >= healedAt, {
      timeoutMs: SILENCE_MS + 5_000,
      intervalMs: 250,
    });
    const producedByThen = [...(await endOffsets(ctx.kafka, ctx.topics.orders)).values()].reduce(
      (a, b) => a + b,
      0n,
    );
    const storedByThen = await countOrders(ctx.db);
    await eventually(
      'the consumer to store every order sent before the link healed',
      async () => BigInt(await countOrders(ctx.db)) >= producedByThen,
    );
    process.stdout.write(
      `[silent-database] at the heal: ${producedByThen} produced, ${storedByThen} stored; ` +
        `all of them stored ${((Date.now() - healedAt) / 1000).toFixed(1)} s later, without a restart\n`,
    );

    await producer.finished;
    await caughtUp(ctx);
    const report = await checkDelivery(ctx, 'silent-database');
    expect(report.problems).toEqual([]);
    expect(report.stored).toBe(report.produced);
    expect(report.deadLettered).toEqual({});
    expect(consumer.stats.totals.retries).toBeGreaterThan(0);
  });
});
