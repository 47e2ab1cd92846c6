import { OrderEvent } from '@app/contracts';
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

  it('stores the same row whether an order is written as the producer writes it or otherwise', async () => {
    const [base] = generateOrders(1, 5);
    const at = Date.parse(base.created_at);
    const order = (n: number, change: Partial<Record<keyof OrderEvent, unknown>> = {}) =>
      ({ ...base, order_id: `ORD-FORM-${n}`, ...change }) as OrderEvent;
    const text = (o: OrderEvent) => JSON.stringify(o);
    const firstPrice = base.items[0].price;
    const { poison, invalid, 'conflicting-duplicate': conflicts } = consumer.stats.totals;
    // The first and the last go to PostgreSQL as their own bytes; the others are rebuilt first.
    const records = [
      text(order(1)),
      // Unknown text PostgreSQL cannot hold (NUL, a lone surrogate): never sent to it.
      `${text(order(2)).slice(0, -1)},"note":"\\u0000 \\ud800"}`,
      text(order(3, { items: base.items.map((item) => ({ ...item, colour: 'green' })) })),
      text(order(4, { created_at: new Date(at + 2 * 3_600_000).toISOString().replace('Z', '+02:00') })),
      text(order(5, { created_at: base.created_at.replace('Z', '999Z') })),
      // Numbers as JSON may write them: an exponent, a trailing zero.
      text(order(6))
        .replace(
          `"total_amount":${base.total_amount}`,
          `"total_amount":${Math.round(base.total_amount * 100)}e-2`,
        )
        .replace(`"price":${firstPrice}`, `"price":${firstPrice.toFixed(3)}`),
    ];
    await produceRaw(
      ctx.kafka,
      ctx.topics.orders,
      records.map((value) => ({ key: base.customer_id, value })),
    );
    await caughtUp(ctx);
    const rows = (await storedOrders(ctx.db)).filter((row) => row.order_id.startsWith('ORD-FORM-'));
    expect(rows).toEqual([1, 2, 3, 4, 5, 6].map((n) => expectedRow(order(n))));
    // Not one dead letter among them.
    expect(consumer.stats.totals).toMatchObject({ poison, invalid, 'conflicting-duplicate': conflicts });
  });

  it('leaves 20 rows, not 40, when the same 20 records are delivered again', async () => {
    const before = await countOrders(ctx.db); // the orders the tests above stored
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
    // Every order of the tests above too, however it was written: a redelivery, never a conflict.
    expect(consumer.stats.totals.stored).toBe(0);
    expect(consumer.stats.totals.duplicate).toBe(before + 20);
  });
});
