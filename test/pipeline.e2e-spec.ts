import { OrderEvent } from '@app/contracts';
import request from 'supertest';
import { killSpawnedApps, RunningConsumer, spawnApp, startConsumer, startProducer } from './support/apps';
import { caughtUp, E2eContext, setUpE2e } from './support/e2e-context';
import { eventually } from './support/eventually';
import { readAll, ReadRecord } from './support/kafka-helpers';
import { countOrders, expectedRow, storedOrders } from './support/orders';

function ordersOf(records: ReadRecord[]): OrderEvent[] {
  return records.map((r) => JSON.parse(r.value!.toString()) as OrderEvent);
}

describe('pipeline: order-producer → Kafka → order-consumer → PostgreSQL', () => {
  let ctx: E2eContext;
  let consumer: RunningConsumer;

  beforeAll(async () => {
    ctx = await setUpE2e('pipeline');
    consumer = await startConsumer();
  });

  afterAll(async () => {
    await killSpawnedApps();
    await consumer?.close();
    await ctx?.close();
  });

  it('stores exactly the 100 orders the producer app publishes, each row equal to its message', async () => {
    const producer = spawnApp('order-producer', {
      ...ctx.env,
      PRODUCER_MAX_ORDERS: '100',
      PRODUCER_RATE: '100',
    });
    const { code } = await producer.exited;
    expect(code).toBe(0);
    expect(
      producer.output.some((line) => line.includes('"producer finished"') && line.includes('"sent":100')),
    ).toBe(true);

    await caughtUp(ctx);
    const records = await readAll(ctx.kafka, ctx.topics.orders);
    const orders = ordersOf(records);
    expect(orders).toHaveLength(100);
    expect(await storedOrders(ctx.db)).toEqual(
      orders.map(expectedRow).sort((a, b) => a.order_id.localeCompare(b.order_id)),
    );

    // Keyed by customer: every record carries its customer as key, and each customer stays on one partition.
    for (const record of records) {
      const order = JSON.parse(record.value!.toString()) as OrderEvent;
      expect(record.key).toBe(order.customer_id);
      expect(record.headers).toMatchObject({ 'x-correlation-id': order.order_id, 'x-event-version': '1' });
    }
    expect(new Set(records.map((r) => r.partition))).toEqual(new Set([0, 1, 2]));
    const partitionsByCustomer = new Map<string, Set<number>>();
    for (const r of records)
      partitionsByCustomer.set(r.key!, (partitionsByCustomer.get(r.key!) ?? new Set()).add(r.partition));
    expect([...partitionsByCustomer.values()].every((partitions) => partitions.size === 1)).toBe(true);
  });

  it('adds new rows on a second producer run with the same seed, and repeats its customers and baskets', async () => {
    const firstRun = ordersOf(await readAll(ctx.kafka, ctx.topics.orders)).sort((a, b) =>
      a.order_id.localeCompare(b.order_id),
    );
    const before = await countOrders(ctx.db);

    const producer = await startProducer({ PRODUCER_MAX_ORDERS: '50', PRODUCER_RATE: '200' });
    await producer.finished;
    await producer.close();
    await caughtUp(ctx);

    expect(await countOrders(ctx.db)).toBe(before + 50);
    const firstIds = new Set(firstRun.map((o) => o.order_id));
    const secondRun = ordersOf(await readAll(ctx.kafka, ctx.topics.orders))
      .filter((o) => !firstIds.has(o.order_id))
      .sort((a, b) => a.order_id.localeCompare(b.order_id));
    expect(secondRun).toHaveLength(50);
    // Same seed, same sequence: the second run's baskets are the first run's first 50.
    const basket = (o: OrderEvent) => ({ customer: o.customer_id, items: o.items, total: o.total_amount });
    expect(secondRun.map(basket)).toEqual(firstRun.slice(0, 50).map(basket));
  });

  it('answers /health/live and /health/ready with 200 on both apps, and the producer exits 0 on SIGTERM', async () => {
    await request(consumer.url).get('/health/live').expect(200);
    const ready = await request(consumer.url).get('/health/ready').expect(200);
    expect(ready.body.info).toMatchObject({ 'kafka-consumer': { status: 'up' }, database: { status: 'up' } });

    const producer = spawnApp('order-producer', { ...ctx.env, PRODUCER_RATE: '5' });
    const url = `http://127.0.0.1:${await producer.httpPort()}`;
    await request(url).get('/health/live').expect(200);
    await eventually(
      'producer readiness',
      async () => (await request(url).get('/health/ready')).status === 200,
    );

    const stoppedAt = Date.now();
    producer.child.kill('SIGTERM');
    const { code } = await producer.exited;
    expect(code).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
  });
});
