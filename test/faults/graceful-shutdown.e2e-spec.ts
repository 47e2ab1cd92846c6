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
import { groupAssignment, withAdmin } from '../support/kafka-helpers';
import { countOrders } from '../support/orders';

describe('fault: SIGTERM during a steady stream', () => {
  let ctx: E2eContext;
  let producer: RunningProducer;
  let restarted: RunningConsumer;

  beforeAll(async () => {
    ctx = await setUpE2e('sigterm');
  });

  afterAll(async () => {
    await producer?.close();
    await restarted?.close();
    await killSpawnedApps();
    await ctx?.close();
  });

  const committedTotal = async () => {
    const [topic] = await withAdmin(ctx.kafka, (admin) =>
      admin.fetchOffsets({ groupId: ctx.group, topics: [ctx.topics.orders] }),
    );
    return topic.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
  };

  it('exits 0 within 10 s with every stored order committed, and a restart continues with no gap or duplicate', async () => {
    const consumer = spawnApp('order-consumer', ctx.env);
    await eventually('the consumer to own the partitions', async () => {
      const owned = await groupAssignment(ctx.kafka, ctx.group, ctx.topics.orders);
      return owned.length === 1 && owned[0].length === 3;
    });
    producer = await startProducer({ PRODUCER_RATE: '100', PRODUCER_DURATION_S: '20' });
    await eventually('orders to be stored', async () => (await countOrders(ctx.db)) > 300);

    const stoppedAt = Date.now();
    consumer.child.kill('SIGTERM');
    const { code } = await consumer.exited;
    const stopSeconds = (Date.now() - stoppedAt) / 1000;
    expect(code).toBe(0);
    expect(stopSeconds).toBeLessThan(10);
    // Every record it stored was committed, and nothing it committed is missing.
    expect(await committedTotal()).toBe(await countOrders(ctx.db));
    process.stdout.write(`[graceful-shutdown] exit code ${code} after ${stopSeconds.toFixed(1)} s\n`);

    restarted = await startConsumer();
    await producer.finished;
    await caughtUp(ctx);
    const report = await checkDelivery(ctx, 'graceful-shutdown');
    expect(report.problems).toEqual([]);
    expect(report.stored).toBe(report.produced);
    expect(restarted.stats.totals.duplicate).toBe(0);
  });
});
