import { OrderEvent } from '@app/contracts';
import { killSpawnedApps, spawnApp } from '../support/apps';
import { E2eContext, setUpE2e } from '../support/e2e-context';
import { readAll, ReadRecord, withAdmin } from '../support/kafka-helpers';

function ordersOf(records: ReadRecord[]): OrderEvent[] {
  return records.map((r) => JSON.parse(r.value!.toString()) as OrderEvent);
}

/** Each customer's orders, in the order the producer created them, as one partition holds them. */
function inProducerOrder(records: ReadRecord[]): boolean {
  const lastByCustomer = new Map<string, string>();
  const byPosition = [...records].sort(
    (a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)),
  );
  for (const order of ordersOf(byPosition)) {
    const previous = lastByCustomer.get(order.customer_id);
    // Ids end in a zero-padded sequence number: later orders sort after earlier ones.
    if (previous !== undefined && previous >= order.order_id) return false;
    lastByCustomer.set(order.customer_id, order.order_id);
  }
  return true;
}

describe('order-producer at the broker limits', () => {
  let ctx: E2eContext;

  beforeAll(async () => {
    ctx = await setUpE2e('producer_limits');
  });

  afterAll(async () => {
    await killSpawnedApps();
    await ctx?.close();
  });

  it('sends 60,000 orders at PRODUCER_RATE=100000 into the topic as provisioned, in order per customer, and exits 0', async () => {
    const producer = spawnApp('order-producer', {
      ...ctx.env,
      PRODUCER_RATE: '100000',
      PRODUCER_MAX_ORDERS: '60000',
    });
    const { code } = await producer.exited;
    const finished = producer.output.find((line) => line.includes('"producer finished"'));
    process.stdout.write(`[producer-limits] exit ${code}: ${finished}\n`);
    expect(code).toBe(0);
    expect(JSON.parse(finished!)).toMatchObject({ sent: 60_000, rejected: 0 });

    const records = await readAll(ctx.kafka, ctx.topics.orders);
    expect(records).toHaveLength(60_000);
    expect(new Set(ordersOf(records).map((o) => o.order_id)).size).toBe(60_000);
    expect(new Set(records.map((r) => r.partition))).toEqual(new Set([0, 1, 2]));
    expect(inProducerOrder(records)).toBe(true);
  }, 120_000);

  it('on a topic that takes only small records, sends the rest and names each order it can never deliver', async () => {
    const topic = `${ctx.topics.orders}.small`;
    // A record batch holding one average order is ~700 bytes: the larger baskets cannot fit.
    await withAdmin(ctx.kafka, (admin) =>
      admin.createTopics({
        topics: [{ topic, numPartitions: 3, configEntries: [{ name: 'max.message.bytes', value: '700' }] }],
        waitForLeaders: true,
      }),
    );
    const producer = spawnApp('order-producer', {
      ...ctx.env,
      KAFKA_TOPIC_ORDERS: topic,
      PRODUCER_RATE: '1000',
      PRODUCER_MAX_ORDERS: '300',
    });
    const { code } = await producer.exited;
    const lines = producer.output
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const rejected = lines.filter((line) => line.msg === 'order rejected: larger than the topic accepts');
    const summary = lines.find((line) => line.msg === 'producer finished');
    process.stdout.write(
      `[producer-limits] small records: exit ${code}, ${rejected.length} rejected, summary ${JSON.stringify(summary)}\n`,
    );

    const stored = ordersOf(await readAll(ctx.kafka, topic));
    expect(rejected.length).toBeGreaterThan(0);
    expect(stored.length).toBeGreaterThan(0);
    expect(stored.length + rejected.length).toBe(300);
    expect(summary).toMatchObject({ sent: stored.length, rejected: rejected.length });
    // Each rejection names the order, its size and the cause; none of them reached the topic.
    const storedIds = new Set(stored.map((o) => o.order_id));
    for (const line of rejected) {
      expect(line).toMatchObject({ order_id: expect.any(String), bytes: expect.any(Number) });
      expect(line.err).toMatch(/larger than/i);
      expect(storedIds.has(line.order_id as string)).toBe(false);
    }
    expect(code).toBe(65);
  }, 120_000);
});
