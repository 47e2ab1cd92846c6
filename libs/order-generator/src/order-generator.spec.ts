import { validateOrder } from '@app/contracts';
import { OrderGenerator } from './order-generator';
import { OrderIdFactory } from './order-id.factory';

const NOW = new Date('2026-11-22T14:30:00.000Z');

function run(seed: number, count: number, ids = new OrderIdFactory('SAMETAG0')) {
  const generator = new OrderGenerator(seed, ids);
  return Array.from({ length: count }, () => generator.next(NOW));
}

describe(OrderGenerator.name, () => {
  it('produces the same orders for the same seed', () => {
    expect(run(42, 50)).toEqual(run(42, 50));
  });

  it('produces different orders for another seed', () => {
    const basket = (o: { customer_id: string; total_amount: number }) => `${o.customer_id}/${o.total_amount}`;
    expect(run(7, 20).map(basket)).not.toEqual(run(42, 20).map(basket));
  });

  it('has 100 customers and 20 menu items priced $2–$15', () => {
    const generator = new OrderGenerator(42);
    expect(new Set(generator.customers.map((c) => c.customer_id)).size).toBe(100);
    expect(generator.customers[41].customer_id).toBe('CUST-00042');
    expect(generator.menu).toHaveLength(20);
    expect(new Set(generator.menu.map((m) => m.name)).size).toBe(20);
    for (const item of generator.menu) {
      expect(item.item_id).toMatch(/^ITEM-\d{3}$/);
      expect(item.price).toBeGreaterThanOrEqual(2);
      expect(item.price).toBeLessThanOrEqual(15);
      expect(Math.round(item.price * 100)).toBeCloseTo(item.price * 100, 6);
    }
  });

  it('makes orders that the consumer accepts: 1–5 items, quantities 1–5, totals to the cent', () => {
    for (const order of run(42, 500)) {
      expect(validateOrder(order)).toMatchObject({ valid: true });
      expect(order.items.length).toBeGreaterThanOrEqual(1);
      expect(order.items.length).toBeLessThanOrEqual(5);
      expect(order.items.every((i) => i.quantity >= 1 && i.quantity <= 5)).toBe(true);
      expect(order.status).toBe('pending');
      expect(order.created_at).toBe(NOW.toISOString());
    }
  });

  it('never repeats an order id across two generator instances with the same seed', () => {
    const first = run(42, 1000, new OrderIdFactory());
    const second = run(42, 1000, new OrderIdFactory());
    const ids = new Set([...first, ...second].map((o) => o.order_id));
    expect(ids.size).toBe(2000);
    for (const id of ids) {
      expect(id).toMatch(/^ORD-20261122-[0-9A-Z]{8}-\d{6}$/);
      expect(id.length).toBeLessThanOrEqual(50);
    }
  });
});
