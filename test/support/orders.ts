import { OrderEvent } from '@app/contracts';
import { Pool } from 'pg';
import { OrderGenerator, OrderIdFactory } from '@app/order-generator';
import { CreateOrders1763769600000 } from '../../apps/order-consumer/src/database/migrations/1763769600000-create-orders';
import { IndexesForBatches1764460800000 } from '../../apps/order-consumer/src/database/migrations/1764460800000-indexes-for-batches';
import { RawRecord } from './kafka-helpers';

/** Orders as the producer app makes them, ready to send raw. */
export function generateOrders(count: number, seed = 42): OrderEvent[] {
  const generator = new OrderGenerator(seed, new OrderIdFactory());
  return Array.from({ length: count }, () => generator.next());
}

export function asRecord(order: unknown): RawRecord {
  const { customer_id, order_id } = order as { customer_id?: string; order_id?: string };
  return {
    key: customer_id ?? null,
    value: JSON.stringify(order),
    headers: order_id ? { 'x-correlation-id': order_id, 'x-event-version': '1' } : {},
  };
}

export interface StoredOrder {
  order_id: string;
  customer_id: string;
  items: unknown[];
  total_amount: string;
  status: string;
  created_at: Date;
}

export async function storedOrders(db: Pool): Promise<StoredOrder[]> {
  const { rows } = await db.query<StoredOrder>(
    'SELECT order_id, customer_id, items, total_amount::text AS total_amount, status, created_at FROM orders ORDER BY order_id',
  );
  return rows;
}

export async function countOrders(db: Pool): Promise<number> {
  const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM orders');
  return Number(rows[0].n);
}

/** The row a message must have become: same ids, items JSON, total to the cent, status and time. */
export function expectedRow(order: OrderEvent): StoredOrder {
  return {
    order_id: order.order_id,
    customer_id: order.customer_id,
    items: order.items,
    total_amount: order.total_amount.toFixed(2),
    status: order.status,
    created_at: new Date(order.created_at),
  };
}

/** The names of the consumer's migrations, in the order they apply. */
export const MIGRATION_NAMES = [CreateOrders1763769600000, IndexesForBatches1764460800000].map((m) => m.name);
