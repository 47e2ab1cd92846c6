import { centsToDecimal, hasOnlyDeclaredFields, OrderEvent, OrderItemEvent, toCents } from '@app/contracts';
import { KafkaMessage } from 'kafkajs';
import { OrderEntity } from './order.entity';

export type NewOrderRow = Omit<OrderEntity, 'processedAt'>;

/**
 * A valid order on its way to its row: what the INSERT and the batch's outcome need, and no more.
 * The parsed order is not kept: a batch's orders would otherwise live through the INSERT's round
 * trip and be copied into the old generation of the heap, to be collected there at a higher price.
 */
export interface OrderToStore {
  message: KafkaMessage;
  orderId: string;
  /** created_at in epoch milliseconds: the end-to-end latency is measured from it. */
  createdAt: number;
  /** The row's columns as one JSON object (keys named as the columns), for json_to_recordset. */
  json: Buffer;
}

/** A time PostgreSQL reads exactly as JavaScript does: UTC, whole milliseconds at most. */
const PLAIN_UTC_TIME = /^\d{4}-\d\d-\d\dT([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,3})?Z$/;

export function toStore(message: KafkaMessage, order: OrderEvent): OrderToStore {
  // The event's fields are named as the columns, so a record that holds nothing but them (what the
  // producer writes) is its own row: its bytes go to PostgreSQL as they came, not rebuilt and
  // serialised again. Anything else (unknown fields to drop, a time to normalise) is rebuilt.
  const asSent = hasOnlyDeclaredFields(order) && PLAIN_UTC_TIME.test(order.created_at);
  return {
    message,
    orderId: order.order_id,
    createdAt: Date.parse(order.created_at),
    json: asSent ? message.value! : Buffer.from(JSON.stringify(toColumns(toOrderRow(order)))),
  };
}

/** The row an order becomes: the contract's fields only (items keep their known fields), money as a decimal. */
export function toOrderRow(order: OrderEvent): NewOrderRow {
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
export function sameOrder(stored: OrderEntity, incoming: NewOrderRow): boolean {
  return (
    stored.customerId === incoming.customerId &&
    stored.status === incoming.status &&
    stored.totalAmount === incoming.totalAmount &&
    stored.createdAt.getTime() === incoming.createdAt.getTime() &&
    canonicalJson(stored.items) === canonicalJson(incoming.items)
  );
}

function toColumns(row: NewOrderRow) {
  return {
    order_id: row.orderId,
    customer_id: row.customerId,
    items: row.items,
    total_amount: row.totalAmount,
    status: row.status,
    created_at: row.createdAt,
  };
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
