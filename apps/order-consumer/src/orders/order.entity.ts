import { OrderItemEvent } from '@app/contracts';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

// Each index serves a documented query (docs/architecture.md), and costs every insert.
@Entity({ name: 'orders' })
// Orders in a time window: SELECT … WHERE created_at >= $1 ORDER BY created_at.
@Index('idx_orders_created_at', ['createdAt'])
// A customer's orders, newest first: SELECT … WHERE customer_id = $1 ORDER BY created_at DESC.
@Index('idx_orders_customer_created', ['customerId', 'createdAt'])
export class OrderEntity {
  /** The primary key makes redelivery harmless: Kafka is at-least-once, the table is effectively-once. */
  @PrimaryColumn({ name: 'order_id', type: 'varchar', length: 50 })
  orderId: string;

  @Column({ name: 'customer_id', type: 'varchar', length: 50 })
  customerId: string;

  @Column({ type: 'jsonb' })
  items: OrderItemEvent[];

  /** numeric(10,2) comes back from pg as a string: money never becomes a binary float here. */
  @Column({ name: 'total_amount', type: 'numeric', precision: 10, scale: 2 })
  totalAmount: string;

  @Column({ type: 'varchar', length: 20 })
  status: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'processed_at', type: 'timestamptz', default: () => 'clock_timestamp()' })
  processedAt: Date;
}
