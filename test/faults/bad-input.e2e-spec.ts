import { OrderEvent } from '@app/contracts';
import { DlqHeader } from '@app/dlq';
import { RunningConsumer, startConsumer } from '../support/apps';
import { checkDelivery } from '../support/delivery-checker';
import { caughtUp, E2eContext, setUpE2e } from '../support/e2e-context';
import { produceRaw, RawRecord, readAll } from '../support/kafka-helpers';
import { asRecord, generateOrders } from '../support/orders';

interface BadRecord {
  kind: string;
  record: RawRecord;
  reason: 'poison' | 'invalid' | 'conflicting-duplicate';
  /** What the x-dlq-error-message must name. */
  names: string;
}

const KEY = 'CUST-00007';

/** A valid order for CUST-00007 with `change` applied; `drop` removes fields. */
function variant(
  base: OrderEvent,
  n: number,
  change: Record<string, unknown>,
  drop: string[] = [],
): RawRecord {
  const order: Record<string, unknown> = { ...base, customer_id: KEY, order_id: `ORD-BAD-${n}`, ...change };
  for (const field of drop) delete order[field];
  return { key: KEY, value: JSON.stringify(order), headers: { 'x-correlation-id': `ORD-BAD-${n}` } };
}

function badRecords(base: OrderEvent, conflictWith: OrderEvent): BadRecord[] {
  const item = { name: 'Soup', quantity: 1, price: 4.5 };
  const withItem = (n: number, changed: Record<string, unknown>) =>
    variant(base, n, { items: [{ ...item, ...changed }], total_amount: 4.5 });
  const bad: Array<[string, RawRecord, BadRecord['reason'], string]> = [
    ['not JSON', { key: KEY, value: 'this is not json {' }, 'poison', 'not JSON'],
    ['a JSON array', { key: KEY, value: '[{"order_id":"ORD-1"}]' }, 'poison', 'array'],
    ['an empty value', { key: KEY, value: '' }, 'poison', 'empty'],
    ['a null value', { key: KEY, value: null }, 'poison', 'empty'],
    [
      'bytes that are not UTF-8',
      { key: KEY, value: Buffer.from([0x7b, 0xc3, 0x28, 0x7d]) },
      'poison',
      'UTF-8',
    ],
    ['a null key', { ...variant(base, 1, {}), key: null }, 'invalid', 'key'],
    ['no order_id', variant(base, 2, {}, ['order_id']), 'invalid', 'order_id'],
    ['no customer_id', variant(base, 3, {}, ['customer_id']), 'invalid', 'customer_id'],
    ['no items', variant(base, 4, {}, ['items']), 'invalid', 'items'],
    ['no total_amount', variant(base, 5, {}, ['total_amount']), 'invalid', 'total_amount'],
    ['no status', variant(base, 6, {}, ['status']), 'invalid', 'status'],
    ['no created_at', variant(base, 7, {}, ['created_at']), 'invalid', 'created_at'],
    [
      'an item without a name',
      variant(base, 8, { items: [{ quantity: 1, price: 4.5 }], total_amount: 4.5 }),
      'invalid',
      'items.0.name',
    ],
    ['order_id as a number', variant(base, 9, { order_id: 12345 }), 'invalid', 'order_id'],
    ['total_amount as text', variant(base, 10, { total_amount: '21.47' }), 'invalid', 'total_amount'],
    ['items as an object', variant(base, 11, { items: { name: 'Soup' } }), 'invalid', 'items'],
    ['quantity 0', withItem(12, { quantity: 0 }), 'invalid', 'items.0.quantity'],
    ['a negative quantity', withItem(13, { quantity: -1 }), 'invalid', 'items.0.quantity'],
    ['a fractional quantity', withItem(14, { quantity: 1.5 }), 'invalid', 'items.0.quantity'],
    ['a price with 3 decimals', withItem(15, { price: 4.505 }), 'invalid', 'items.0.price'],
    [
      'a total that does not match',
      variant(base, 16, { total_amount: base.total_amount + 1 }),
      'invalid',
      'total_amount',
    ],
    [
      '101 items',
      variant(base, 17, { items: Array.from({ length: 101 }, () => item), total_amount: 454.5 }),
      'invalid',
      'items',
    ],
    [
      'a 1 MiB value',
      { key: KEY, value: `{"order_id":"ORD-BAD-18","pad":"${'x'.repeat(1024 * 1024)}"}` },
      'invalid',
      'value',
    ],
    ['an unknown status', variant(base, 19, { status: 'teleported' }), 'invalid', 'status'],
    ['an unparsable created_at', variant(base, 20, { created_at: 'next tuesday' }), 'invalid', 'created_at'],
    ['an order_id of 51 characters', variant(base, 21, { order_id: 'O'.repeat(51) }), 'invalid', 'order_id'],
    // Accepted by class-validator alone, refused or altered by PostgreSQL: must be invalid, not unexpected.
    ['NUL in order_id', variant(base, 22, { order_id: 'ORD-BAD-22\u0000' }), 'invalid', 'order_id'],
    ['NUL in an item name', withItem(23, { name: 'Soup\u0000' }), 'invalid', 'items.0.name'],
    [
      'a lone surrogate ending order_id',
      variant(base, 24, { order_id: 'ORD-BAD-24\ud800' }),
      'invalid',
      'order_id',
    ],
    ['a lone surrogate in an item name', withItem(25, { name: '\udc00Soup' }), 'invalid', 'items.0.name'],
    [
      'an order_id of 50 × "V\\uFE0F"',
      variant(base, 26, { order_id: 'V\uFE0F'.repeat(50) }),
      'invalid',
      'order_id',
    ],
    ['a price of 1e-7', withItem(27, { price: 1e-7 }), 'invalid', 'items.0.price'],
    ['a subtotal of 1e-7', withItem(28, { subtotal: 1e-7 }), 'invalid', 'items.0.subtotal'],
    ['a week-date created_at', variant(base, 29, { created_at: '2024-W01-1' }), 'invalid', 'created_at'],
    [
      'an ordinal-date created_at',
      variant(base, 30, { created_at: '2024-060T10:00:00Z' }),
      'invalid',
      'created_at',
    ],
    [
      'a basic-format created_at',
      variant(base, 31, { created_at: '20240501T100000Z' }),
      'invalid',
      'created_at',
    ],
    [
      'a comma-fraction created_at',
      variant(base, 32, { created_at: '2024-05-01T10:00:00,5Z' }),
      'invalid',
      'created_at',
    ],
    ['an item that is an empty array', variant(base, 33, { items: [[]] }), 'invalid', 'items'],
    [
      'a created_at without a zone',
      variant(base, 34, { created_at: '2026-11-22T14:30:00' }),
      'invalid',
      'created_at',
    ],
    [
      'a conflicting duplicate',
      asRecord({ ...conflictWith, status: 'cancelled' }),
      'conflicting-duplicate',
      conflictWith.order_id,
    ],
  ];
  return bad.map(([kind, record, reason, names]) => ({ kind, record, reason, names }));
}

describe('fault: bad input mixed among valid orders', () => {
  let ctx: E2eContext;
  let consumer: RunningConsumer;

  beforeAll(async () => {
    ctx = await setUpE2e('bad_input');
    consumer = await startConsumer();
  });

  afterAll(async () => {
    await consumer?.close();
    await ctx?.close();
  });

  it('dead-letters every bad record with its reason and field, and stores all 200 valid orders as sent', async () => {
    const valid = generateOrders(200, 9);
    // Valid orders that merely look dangerous or are not ASCII: stored exactly as sent.
    valid[10] = { ...valid[10], customer_name: "Robert'); DROP TABLE orders;--" };
    valid[11].items[0] = { ...valid[11].items[0], name: "1; DELETE FROM orders WHERE '1'='1" };
    valid[12] = { ...valid[12], customer_name: 'Zoë Ångström 李小龍 🍣', customer_email: 'zoe@example.com' };
    valid[13].items[0] = { ...valid[13].items[0], name: 'Crème brûlée · 寿司 🍰' };
    // Differs from a dead-lettered id only by a lone surrogate: stored, and not taken for a duplicate.
    valid[15] = { ...valid[15], order_id: 'ORD-BAD-24' };
    const bad = badRecords(valid[0], valid[20]);
    expect(bad.length).toBeGreaterThanOrEqual(20);

    // Bad records go in between the valid ones, which keep their order (the checker verifies it).
    const records: RawRecord[] = valid.map(asRecord);
    // An unknown field nested 10,000 deep (20 KB) costs nothing: the contract ignores unknown fields.
    const deep = `${'['.repeat(10_000)}"bottom"${']'.repeat(10_000)}`;
    records[14] = { ...records[14], value: `${JSON.stringify(valid[14]).slice(0, -1)},"extra":${deep}}` };
    bad.forEach((b, i) => records.splice(25 + i * 7, 0, b.record));
    for (let i = 0; i < records.length; i += 50)
      await produceRaw(ctx.kafka, ctx.topics.orders, records.slice(i, i + 50));
    await caughtUp(ctx);

    const report = await checkDelivery(ctx, 'bad-input');
    expect(report.problems).toEqual([]);
    expect(report.stored).toBe(200);
    expect(report.duplicates).toBe(0);

    const letters = await readAll(ctx.kafka, ctx.topics.dlq);
    expect(letters).toHaveLength(bad.length);
    const table: string[] = [];
    for (const b of bad) {
      const letter = letters.find(
        (l) =>
          (l.value?.equals(Buffer.from(b.record.value ?? '')) ?? b.record.value === null) &&
          l.headers[DlqHeader.Reason] === b.reason,
      );
      expect({ kind: b.kind, found: !!letter }).toEqual({ kind: b.kind, found: true });
      expect({ kind: b.kind, message: letter!.headers[DlqHeader.ErrorMessage] }).toEqual({
        kind: b.kind,
        message: expect.stringContaining(b.names),
      });
      expect(letter!.key).toBe(b.record.key ?? null);
      table.push(
        `  ${b.kind.padEnd(52)} → ${letter!.headers[DlqHeader.Reason]} (${letter!.headers[DlqHeader.ErrorClass]})`,
      );
    }
    process.stdout.write(`[bad-input] input → reason (error class):\n${table.join('\n')}\n`);
    expect(consumer.state.readiness().consumer.ready).toBe(true);
  });
});
