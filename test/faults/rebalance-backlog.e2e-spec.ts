import { RunningConsumer, startConsumer } from '../support/apps';
import { checkDelivery } from '../support/delivery-checker';
import { caughtUp, createTopics, E2eContext, setUpE2e } from '../support/e2e-context';
import { eventually } from '../support/eventually';
import { groupStable, produceMany } from '../support/kafka-helpers';
import { asRecord, countOrders, generateOrders } from '../support/orders';

const ORDERS = 40_000;

describe('fault: a second consumer joins while the first works through a backlog', () => {
  let ctx: E2eContext;
  const consumers: RunningConsumer[] = [];

  beforeAll(async () => {
    ctx = await setUpE2e('rebalance_backlog');
  });

  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.close()));
    await ctx?.close();
  });

  it('settles the group within 15 s and stores every order once, with no dead letter and no crash', async () => {
    await createTopics(ctx);
    await produceMany(ctx.kafka, ctx.topics.orders, generateOrders(ORDERS, 23).map(asRecord));
    // Small batches, one partition at a time: the first consumer needs several seconds for the backlog
    // (a fast machine drained 40,000 in 3 s with the defaults), longer than the second takes to join.
    const slow = { CONSUMER_BATCH_MAX: '5', CONSUMER_CONCURRENCY: '1' };
    consumers.push(await startConsumer(slow));
    await eventually('the first consumer to be under way', async () => (await countOrders(ctx.db)) > 1_000);

    const joinedAt = Date.now();
    consumers.push(await startConsumer(slow));
    await eventually(
      'the group to settle with both members',
      () => groupStable(ctx.kafka, ctx.group, ctx.topics.orders, 2),
      {
        timeoutMs: 15_000,
      },
    );
    const settledIn = Date.now() - joinedAt;
    const storedWhenSettled = await countOrders(ctx.db);
    process.stdout.write(
      `[rebalance-backlog] group settled ${settledIn} ms after the second consumer started, ${storedWhenSettled} of ${ORDERS} stored\n`,
    );
    expect(storedWhenSettled).toBeLessThan(ORDERS);

    await caughtUp(ctx);
    const report = await checkDelivery(ctx, 'rebalance-backlog');
    expect(report.problems).toEqual([]);
    expect(report.stored).toBe(ORDERS);
    expect(report.deadLettered).toEqual({});
    expect(consumers.map((c) => c.state.readiness().consumer.ready)).toEqual([true, true]);
    // Both took part: the newcomer holds partitions (how many rows it stored depends on how much of
    // the backlog was left on them when it joined, which the machine's speed decides).
    expect(consumers.map((c) => (c.state.assignment[ctx.topics.orders] ?? []).length > 0)).toEqual([
      true,
      true,
    ]);
  });
});
