import { RunningConsumer, startConsumer } from './support/apps';
import { caughtUp, E2eContext, setUpE2e } from './support/e2e-context';
import { eventually } from './support/eventually';
import { groupAssignment, produceRaw } from './support/kafka-helpers';
import { asRecord, generateOrders, MIGRATION_NAMES } from './support/orders';

describe('two consumers in one group', () => {
  let ctx: E2eContext;
  const consumers: RunningConsumer[] = [];

  beforeAll(async () => {
    ctx = await setUpE2e('group');
  });

  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.close()));
    await ctx?.close();
  });

  it('start together on an empty database, migrating it once', async () => {
    // Both run the migrations at start-up; the advisory lock lets one apply them and the other find none.
    consumers.push(...(await Promise.all([startConsumer(), startConsumer()])));
    const { rows } = await ctx.db.query<{ name: string }>('SELECT name FROM migrations');
    expect(rows.map((r) => r.name)).toEqual(MIGRATION_NAMES);
  });

  it('split the 3 partitions between them and store 300 orders exactly once', async () => {
    const assignment = await eventually('both members to own partitions', async () => {
      const owned = await groupAssignment(ctx.kafka, ctx.group, ctx.topics.orders);
      return owned.length === 2 && owned.every((p) => p.length > 0) ? owned : undefined;
    });
    expect(assignment.flat().sort()).toEqual([0, 1, 2]);

    const orders = generateOrders(300, 5);
    await produceRaw(ctx.kafka, ctx.topics.orders, orders.map(asRecord));
    await caughtUp(ctx);

    const { rows } = await ctx.db.query<{ rows: string; ids: string }>(
      'SELECT count(*) AS rows, count(DISTINCT order_id) AS ids FROM orders',
    );
    expect(rows[0]).toEqual({ rows: '300', ids: '300' });
    const storedBy = consumers.map((c) => c.stats.totals.stored);
    expect(storedBy[0] + storedBy[1]).toBe(300);
    expect(storedBy.every((n) => n > 0)).toBe(true);
  });
});
