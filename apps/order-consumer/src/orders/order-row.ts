import { centsToDecimal, OrderDto, OrderItemEvent, toCents } from '@app/contracts';
import { OrderEntity } from './order.entity';

/** The row an order becomes. Unknown fields were dropped by validation; items keep their known fields. */
export function toOrderRow(order: OrderDto): Omit<OrderEntity, 'processedAt'> {
  return {
    orderId: order.order_id,
    customerId: order.customer_id,
    items: order.items.map(({ item_id, name, quantity, price, subtotal }) =>
      dropUndefined<OrderItemEvent>({ item_id, name, quantity, price, subtotal }),
    ),
    totalAmount: centsToDecimal(toCents(order.total_amount)),
    status: order.status,
    createdAt: new Date(order.created_at),
  };
}

/** True when a stored row holds the same order (a redelivery) rather than a different one with the same id. */
export function sameOrder(stored: OrderEntity, incoming: Omit<OrderEntity, 'processedAt'>): boolean {
  return (
    stored.customerId === incoming.customerId &&
    stored.status === incoming.status &&
    stored.totalAmount === incoming.totalAmount &&
    stored.createdAt.getTime() === incoming.createdAt.getTime() &&
    canonicalJson(stored.items) === canonicalJson(incoming.items)
  );
}

function dropUndefined<T extends object>(value: T): T {
  const defined: Record<string, unknown> = {};
  for (const key in value) if (value[key] !== undefined) defined[key] = value[key];
  return defined as T;
}

/** JSON with object keys sorted: jsonb does not keep key order, so only content is compared. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}
