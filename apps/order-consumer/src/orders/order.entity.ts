import { OrderItemEvent } from '@app/contracts';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity({ name: 'orders' })
@Index('idx_orders_customer_id', ['customerId'])
@Index('idx_orders_created_at', ['createdAt'])
@Index('idx_orders_customer_created', ['customerId', 'createdAt'])
// GIN is created by the migration; TypeORM cannot describe it, so it must not try to sync it.
@Index('idx_orders_items', { synchronize: false })
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

  @Column({ name: 'processed_at', type: 'timestamptz', default: () => 'now()' })
  processedAt: Date;
}
