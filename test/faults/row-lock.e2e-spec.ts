import { Client } from 'pg';
import { RunningConsumer, startConsumer } from '../support/apps';
import { checkDelivery } from '../support/delivery-checker';
import { caughtUp, E2eContext, setUpE2e } from '../support/e2e-context';
import { eventually } from '../support/eventually';
import { committedOffsets, endOffsets, produceRaw, readAll } from '../support/kafka-helpers';
import { asRecord, expectedRow, generateOrders } from '../support/orders';

const LOCK_MS = 40_000;

describe('fault: one order waits 40 s on a row lock', () => {
  let ctx: E2eContext;
  let consumer: RunningConsumer;
  let locker: Client;

  beforeAll(async () => {
    ctx = await setUpE2e('row_lock');
    consumer = await startConsumer();
    locker = new Client({ connectionString: ctx.databaseUrl });
    await locker.connect();
  });

  afterAll(async () => {
    await locker?.end();
    await consumer?.close();
    await ctx?.close();
  });

  it('keeps the other partitions moving, and stores the order once the lock is gone', async () => {
    const [locked, ...rest] = generateOrders(301, 37);
    // Another transaction holds the order's primary key: the consumer's insert must wait for it.
    const row = expectedRow(locked);
    await locker.query('BEGIN');
    await locker.query(
      'INSERT INTO orders (order_id, customer_id, items, total_amount, status, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [
        row.order_id,
        row.customer_id,
        JSON.stringify(row.items),
        row.total_amount,
        row.status,
        row.created_at,
      ],
    );
    const lockedAt = Date.now();
    await produceRaw(ctx.kafka, ctx.topics.orders, [asRecord(locked)]);
    const { partition, offset } = (await readAll(ctx.kafka, ctx.topics.orders))[0];
    await produceRaw(ctx.kafka, ctx.topics.orders, rest.map(asRecord));
    const ends = await endOffsets(ctx.kafka, ctx.topics.orders);
    const others = [...ends.keys()].filter((p) => p !== partition);

    await eventually(
      'the other partitions to be committed to their end while the lock is held',
      async () => {
        const committed = await committedOffsets(ctx.kafka, ctx.group, ctx.topics.orders);
        return others.every((p) => committed.get(p) === ends.get(p));
      },
      { timeoutMs: LOCK_MS / 2 },
    );
    process.stdout.write(`[row-lock] other partitions caught up ${Date.now() - lockedAt} ms into the lock\n`);

    await eventually('the lock to be held 40 s', () => Date.now() - lockedAt >= LOCK_MS, {
      timeoutMs: LOCK_MS + 5_000,
      intervalMs: 1_000,
    });
    const held = (await committedOffsets(ctx.kafka, ctx.group, ctx.topics.orders)).get(partition)!;
    expect(held).toBeLessThanOrEqual(BigInt(offset));
    // The other transaction gives up: its row never existed, and the consumer's insert goes through.
    await locker.query('ROLLBACK');

    await caughtUp(ctx);
    const report = await checkDelivery(ctx, 'row-lock');
    expect(report.problems).toEqual([]);
    expect(report.stored).toBe(301);
    expect(report.deadLettered).toEqual({});
  });
});
