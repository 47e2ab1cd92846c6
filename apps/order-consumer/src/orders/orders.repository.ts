import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, QueryRunner } from 'typeorm';
import { OrderEntity } from './order.entity';

export type NewOrderRow = Omit<OrderEntity, 'processedAt'>;

/**
 * PostgresQueryRunner can hand its connection back with an error, which makes the pool destroy it
 * instead of reusing it (public in TypeORM's JavaScript, private in its typings).
 */
type PostgresRunner = QueryRunner & { releasePostgresConnection(error?: Error): Promise<void> };

/** The orders table as the consumer uses it: one statement per batch, and lookups of what was there. */
@Injectable()
export class OrdersRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Inserts the rows in one statement and returns the ids it inserted. A row whose order_id is
   * already stored is skipped, not an error: Kafka delivers at least once, so redelivery is normal.
   */
  insertNew(rows: NewOrderRow[]): Promise<string[]> {
    return this.withConnection(async (runner) => {
      const result = await runner.manager
        .createQueryBuilder()
        .insert()
        .into(OrderEntity)
        .values(rows)
        .orIgnore() // ON CONFLICT DO NOTHING: the primary key is the only unique constraint
        .returning(['orderId'])
        .updateEntity(false)
        .execute();
      return (result.raw as Array<{ order_id: string }>).map((row) => row.order_id);
    });
  }

  findByIds(orderIds: string[]): Promise<OrderEntity[]> {
    return this.withConnection((runner) => runner.manager.findBy(OrderEntity, { orderId: In(orderIds) }));
  }

  /**
   * Runs `work` on a pooled connection. A connection that failed (a timeout, a reset, a silent peer)
   * is destroyed instead of returned: the pool would hand the dead connection out again.
   */
  private async withConnection<T>(work: (runner: QueryRunner) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner() as PostgresRunner;
    try {
      const result = await work(runner);
      await runner.release();
      return result;
    } catch (error) {
      await runner.releasePostgresConnection(error as Error);
      throw error;
    }
  }
}
