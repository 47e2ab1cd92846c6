/** The records `npm run send` and the live view's buttons send, one kind per lesson. */
import { orderRecord } from '@app/contracts';
import { Message } from 'kafkajs';
import { OrderGenerator } from './order-generator';

export const KINDS = ['order', 'poison', 'invalid', 'conflicting-duplicate'] as const;
export type Kind = (typeof KINDS)[number];

export function recordsOf(kind: Kind): { messages: Message[]; says: string } {
  const order = new OrderGenerator(Date.now() % 2 ** 31).next();
  // The producer's record, with the value swapped for the kind's.
  const message = (value: string): Message => ({ ...orderRecord(order), value });
  switch (kind) {
    case 'order':
      return { messages: [message(JSON.stringify(order))], says: `order ${order.order_id}: a new row` };
    case 'poison':
      return {
        messages: [message('{"order_id": "ORD-')],
        says: 'a value that is not JSON: the DLQ, reason poison',
      };
    case 'invalid':
      return {
        messages: [message(JSON.stringify({ ...order, total_amount: order.total_amount + 1 }))],
        says: `order ${order.order_id} with a wrong total: the DLQ, reason invalid`,
      };
    case 'conflicting-duplicate':
      // The same id twice: the first is stored, the second (another status) is a conflict.
      return {
        messages: [
          message(JSON.stringify(order)),
          message(JSON.stringify({ ...order, status: 'cancelled' })),
        ],
        says: `order ${order.order_id} twice, the second cancelled: one row, one DLQ record (conflicting-duplicate)`,
      };
  }
}
