import { killSpawnedApps, spawnApp } from './support/apps';
import { checkDelivery } from './support/delivery-checker';
import { caughtUp, createTopics, E2eContext, setUpE2e } from './support/e2e-context';
import { produceMany, RawRecord } from './support/kafka-helpers';
import { asRecord, generateOrders } from './support/orders';

const ORDERS = 5_000;
const BAD = 20;

describe('a backlog: the consumer starts behind and catches up in batches', () => {
  let ctx: E2eContext;

  beforeAll(async () => {
    ctx = await setUpE2e('backlog');
  });

  afterAll(async () => {
    await killSpawnedApps();
    await ctx?.close();
  });

  it('stores 5,000 orders and dead-letters the 20 bad records among them exactly, in batches larger than one', async () => {
    const orders = generateOrders(ORDERS, 5);
    const records: RawRecord[] = orders.map(asRecord);
    // Spread through the backlog and over the customers (so over the partitions): poison and invalid.
    for (let i = 0; i < BAD; i += 1) {
      const key = orders[i * 37].customer_id;
      const bad =
        i % 2 === 0
          ? { key, value: `not json ${i}` }
          : { key, value: JSON.stringify({ ...orders[i * 37], order_id: `ORD-BAD-${i}`, items: [] }) };
      records.splice(100 + i * 250, 0, bad);
    }
    await createTopics(ctx);
    await produceMany(ctx.kafka, ctx.topics.orders, records);

    const consumer = spawnApp('order-consumer', ctx.env);
    await caughtUp(ctx);
    consumer.child.kill('SIGTERM');
    expect((await consumer.exited).code).toBe(0);

    const report = await checkDelivery(ctx, 'backlog');
    expect(report.problems).toEqual([]);
    expect(report.stored).toBe(ORDERS);
    expect(report.deadLettered).toEqual({ poison: BAD / 2, invalid: BAD / 2 });
    expect(report.duplicates).toBe(0);
    // The consumer's periodic (and final) processing lines say how large its batches were.
    const batchMax = Math.max(
      ...consumer.output
        .filter((line) => line.includes('"msg":"processing"'))
        .map((line) => (JSON.parse(line) as { batch_max: number }).batch_max),
    );
    process.stdout.write(`[backlog] largest batch ${batchMax} records\n`);
    expect(batchMax).toBeGreaterThan(1);
  });
});
