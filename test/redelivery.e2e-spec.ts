import { ORIGINAL_MINIMAL_ORDER } from '@app/contracts/testing/order.factory';
import { RunningConsumer, startConsumer } from './support/apps';
import { caughtUp, E2eContext, setUpE2e } from './support/e2e-context';
import { produceRaw, rewindGroup } from './support/kafka-helpers';
import { asRecord, countOrders, expectedRow, generateOrders, storedOrders } from './support/orders';

describe('redelivery, minimal orders and bad records', () => {
  let ctx: E2eContext;
  let consumer: RunningConsumer;

  beforeAll(async () => {
    ctx = await setUpE2e('redelivery');
    consumer = await startConsumer();
  });

  afterAll(async () => {
    await consumer?.close();
    await ctx?.close();
  });

  it('stores the minimal order of the original design, sent as raw JSON', async () => {
    await produceRaw(ctx.kafka, ctx.topics.orders, [
      { key: 'CUST-12345', value: JSON.stringify(ORIGINAL_MINIMAL_ORDER) },
    ]);
    await caughtUp(ctx);
    expect(await storedOrders(ctx.db)).toEqual([expectedRow(ORIGINAL_MINIMAL_ORDER as never)]);
  });

  it('dead-letters poison and invalid records without blocking their partition', async () => {
    const [valid] = generateOrders(1, 3);
    // Same key, so all three land on one partition, bad ones first.
    await produceRaw(ctx.kafka, ctx.topics.orders, [
      { key: valid.customer_id, value: 'not json at all' },
      { key: valid.customer_id, value: JSON.stringify({ ...valid, order_id: 'ORD-BAD-1', items: [] }) },
      asRecord(valid),
    ]);
    await caughtUp(ctx);
    const ids = (await storedOrders(ctx.db)).map((r) => r.order_id);
    expect(ids).toContain(valid.order_id);
    expect(ids).not.toContain('ORD-BAD-1');
    expect(consumer.state.readiness().consumer.ready).toBe(true);
  });

  it('leaves 20 rows, not 40, when the same 20 records are delivered again', async () => {
    const before = await countOrders(ctx.db); // the minimal and the valid order of the tests above
    const orders = generateOrders(20, 11);
    await produceRaw(ctx.kafka, ctx.topics.orders, orders.map(asRecord));
    await caughtUp(ctx);
    expect(await countOrders(ctx.db)).toBe(before + 20);

    // Rewind the group to the start of the topic: every record is delivered a second time.
    await consumer.close();
    await rewindGroup(ctx.kafka, ctx.group, ctx.topics.orders);
    consumer = await startConsumer();
    await caughtUp(ctx);

    expect(await countOrders(ctx.db)).toBe(before + 20);
    expect(consumer.stats.totals.stored).toBe(0);
    expect(consumer.stats.totals.duplicate).toBe(before + 20);
  });
});
