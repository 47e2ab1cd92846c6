import { OrderEvent, OrderItemEvent } from '../order-event';

/** A valid order event for tests; override any field to make it invalid in one specific way. */
export function anOrder(overrides: Partial<Record<keyof OrderEvent, unknown>> = {}): OrderEvent {
  const items: OrderItemEvent[] = [
    { item_id: 'ITEM-001', name: 'Burger', quantity: 2, price: 8.99, subtotal: 17.98 },
    { item_id: 'ITEM-002', name: 'Fries', quantity: 1, price: 3.49, subtotal: 3.49 },
  ];
  return {
    order_id: 'ORD-20261122-TEST0000-000001',
    customer_id: 'CUST-00042',
    customer_name: 'Ada Lovelace',
    customer_email: 'ada@example.com',
    items,
    total_amount: 21.47,
    status: 'pending',
    created_at: '2026-11-22T14:30:00.000Z',
    ...overrides,
  } as OrderEvent;
}

export function anItem(overrides: Partial<Record<keyof OrderItemEvent, unknown>> = {}): OrderItemEvent {
  return { name: 'Soup', quantity: 1, price: 4.5, ...overrides } as OrderItemEvent;
}

/** The minimal order of the original design, exactly as its message schema shows it. */
export const ORIGINAL_MINIMAL_ORDER = {
  order_id: 'ORD-20250110-001',
  customer_id: 'CUST-12345',
  items: [
    { name: 'Burger', quantity: 2, price: 8.99 },
    { name: 'Fries', quantity: 1, price: 3.49 },
  ],
  total_amount: 21.47,
  status: 'pending',
  created_at: '2025-01-10T14:30:00Z',
} as const;
