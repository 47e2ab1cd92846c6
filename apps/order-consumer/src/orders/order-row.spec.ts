import { OrderEvent } from '@app/contracts';
import { anOrder } from '@app/contracts/testing/order.factory';
import { aMessage } from '../testing/fakes';
import { toOrderRow, toStore } from './order-row';

/** The record of `order` (or of its JSON `text`), decoded as the pipe would. */
function stored(order: OrderEvent, text = JSON.stringify(order)) {
  const message = aMessage(text);
  return { message, toStore: toStore(message, JSON.parse(text) as OrderEvent) };
}

const columnsOf = (json: Buffer) => JSON.parse(json.toString('utf8')) as Record<string, unknown>;

describe(toStore.name, () => {
  it('hands an order written as the producer writes it to PostgreSQL as its own bytes', () => {
    const { message, toStore: order } = stored(anOrder());
    expect(order.json).toBe(message.value);
    expect(order).toMatchObject({
      orderId: anOrder().order_id,
      createdAt: Date.parse(anOrder().created_at),
    });
  });

  it.each([
    ['an unknown field (PostgreSQL would read its text too)', { ...anOrder(), note: 'a\u0000b' }],
    [
      'an unknown item field (the row keeps known item fields only)',
      { ...anOrder(), items: anOrder().items.map((item) => ({ ...item, colour: 'green' })) },
    ],
    ['a time with an offset', { ...anOrder(), created_at: '2026-11-22T16:30:00.000+02:00' }],
    [
      'a time finer than milliseconds (PostgreSQL would keep microseconds)',
      { ...anOrder(), created_at: '2026-11-22T14:30:00.000999Z' },
    ],
  ])('rebuilds the row of an order with %s', (_, order) => {
    const { message, toStore: row } = stored(order);
    expect(row.json).not.toBe(message.value);
    expect(columnsOf(row.json)).toEqual({
      order_id: anOrder().order_id,
      customer_id: anOrder().customer_id,
      items: anOrder().items,
      total_amount: '21.47',
      status: anOrder().status,
      created_at: '2026-11-22T14:30:00.000Z',
    });
  });

  it('keeps the fields its row is made of, named as the columns, when it sends the bytes as they came', () => {
    const order = anOrder();
    const row = toOrderRow(order);
    expect(columnsOf(stored(order).toStore.json)).toMatchObject({
      order_id: row.orderId,
      customer_id: row.customerId,
      items: row.items,
      total_amount: Number(row.totalAmount),
      status: row.status,
      created_at: row.createdAt.toISOString(),
    });
  });
});
