import { ChildApp, killSpawnedApps, RunningProducer, spawnApp, startProducer } from '../support/apps';
import { checkDelivery } from '../support/delivery-checker';
import { caughtUp, E2eContext, setUpE2e } from '../support/e2e-context';
import { eventually } from '../support/eventually';
import { groupAssignment } from '../support/kafka-helpers';
import { countOrders } from '../support/orders';

describe('fault: a consumer is killed with SIGKILL mid-stream', () => {
  let ctx: E2eContext;
  let producer: RunningProducer;

  beforeAll(async () => {
    ctx = await setUpE2e('crash');
  });

  afterAll(async () => {
    await producer?.close();
    await killSpawnedApps();
    await ctx?.close();
  });

  const members = (count: number, description: string) =>
    eventually(
      description,
      async () => {
        const owned = await groupAssignment(ctx.kafka, ctx.group, ctx.topics.orders);
        const all = owned.flat().sort();
        return owned.length === count && owned.every((p) => p.length > 0) && all.join() === '0,1,2'
          ? owned
          : undefined;
      },
      // A killed member is only noticed when its session times out (30 s).
      { timeoutMs: 90_000, intervalMs: 500 },
    );

  it('hands its partitions to the survivor; after a restart nothing is lost and no row is duplicated', async () => {
    const first: ChildApp = spawnApp('order-consumer', ctx.env);
    spawnApp('order-consumer', ctx.env);
    await members(2, 'two consumers to split the partitions');

    producer = await startProducer({ PRODUCER_RATE: '100', PRODUCER_DURATION_S: '40' });
    await eventually('orders to be stored', async () => (await countOrders(ctx.db)) > 300);
    first.child.kill('SIGKILL');
    const { signal } = await first.exited;
    expect(signal).toBe('SIGKILL');

    const survivor = await members(1, 'the survivor to own all 3 partitions');
    expect(survivor[0].sort()).toEqual([0, 1, 2]);
    spawnApp('order-consumer', ctx.env);
    await members(2, 'the restarted consumer to rejoin');

    await producer.finished;
    await caughtUp(ctx);
    const report = await checkDelivery(ctx, 'consumer-crash');
    expect(report.problems).toEqual([]);
    expect(report.deadLettered).toEqual({});
    expect(report.stored).toBe(report.produced);
    expect(report.duplicates).toBe(0);
  });
});
