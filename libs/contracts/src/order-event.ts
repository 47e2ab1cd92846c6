import { OrderStatus } from './order-status';

/** The JSON value of an order record, as the producer writes it. */
export interface OrderItemEvent {
  item_id?: string;
  name: string;
  quantity: number;
  price: number;
  subtotal?: number;
}

export interface OrderEvent {
  order_id: string;
  customer_id: string;
  customer_name?: string;
  customer_email?: string;
  items: OrderItemEvent[];
  total_amount: number;
  status: OrderStatus;
  created_at: string;
}
