import { ORDER_EVENT_VERSION, OrderHeader } from './headers';
import { OrderEvent } from './order-event';

/** An order as a record of the orders topic: its key, its JSON value and its headers. */
export interface OrderRecord {
  key: string;
  value: string;
  headers: Record<string, string>;
}

/** The one way an order becomes a Kafka record, for the producer and every tool that sends orders. */
export function orderRecord(order: OrderEvent): OrderRecord {
  return {
    // Keying by customer sends all of a customer's orders to one partition, which keeps them in order.
    key: order.customer_id,
    value: JSON.stringify(order),
    headers: {
      [OrderHeader.CorrelationId]: order.order_id,
      [OrderHeader.EventVersion]: ORDER_EVENT_VERSION,
    },
  };
}
