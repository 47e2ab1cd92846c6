import { isUtf8 } from 'node:buffer';
import { MAX_ORDER_BYTES, OrderEvent, validateOrder } from '@app/contracts';
import { InvalidMessageError, PoisonMessageError } from '@app/dlq';

/** Key and value bytes → validated order, or the permanent error that says why the record can never be one. */
export function decodeOrder(value: Buffer | null, key: string | null): OrderEvent {
  if (value === null || value.length === 0) throw new PoisonMessageError('value is empty');
  if (value.length > MAX_ORDER_BYTES) {
    throw new InvalidMessageError([
      `value: the record is ${value.length} bytes; an order is at most ${MAX_ORDER_BYTES}`,
    ]);
  }
  if (!isUtf8(value)) throw new PoisonMessageError('value is not valid UTF-8');
  const text = value.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PoisonMessageError(`value is not JSON: ${(error as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    const kind = json === null ? 'null' : Array.isArray(json) ? 'array' : typeof json;
    throw new PoisonMessageError(`value is JSON ${kind}, expected an object`);
  }
  const result = validateOrder(json);
  if (!result.valid) {
    const orderId = (json as { order_id?: unknown }).order_id;
    throw new InvalidMessageError(result.errors).withOrderId(
      typeof orderId === 'string' ? orderId : undefined,
    );
  }
  const order = result.order;
  if (key !== order.customer_id) {
    // Kafka keeps order per partition, and the key picks the partition: a record keyed by anything
    // but its customer could overtake that customer's earlier orders.
    const got = key === null ? 'no key' : JSON.stringify(key);
    throw new InvalidMessageError([
      `key: the record key must be the order's customer_id, got ${got}`,
    ]).withOrderId(order.order_id);
  }
  return order;
}
