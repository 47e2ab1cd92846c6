import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, QueryRunner } from 'typeorm';
import { OrderEntity } from './order.entity';

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
   * Inserts the rows (each a JSON object keyed by column; other keys are ignored) in one statement
   * and returns the ids it inserted. A row whose order_id is already stored is skipped, not an
   * error: Kafka delivers at least once, so redelivery is normal.
   */
  insertNew(rows: Buffer[]): Promise<string[]> {
    // The whole batch as one JSON parameter: one short statement for PostgreSQL to parse, whatever
    // the batch size, and rows inserted in batch order (processed_at keeps each partition's order).
    // The array is joined from the rows' bytes; pg sends a Buffer as it is.
    return this.withConnection(async (runner) => {
      const inserted = (await runner.query(
        `INSERT INTO orders (order_id, customer_id, items, total_amount, status, created_at)
         SELECT order_id, customer_id, items, total_amount, status, created_at
           FROM json_to_recordset($1::json) AS batch(order_id varchar, customer_id varchar, items jsonb,
                total_amount numeric, status varchar, created_at timestamptz)
         ON CONFLICT (order_id) DO NOTHING
         RETURNING order_id`,
        [jsonArray(rows)],
      )) as Array<{ order_id: string }>;
      return inserted.map((row) => row.order_id);
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

const [OPEN, COMMA, CLOSE] = ['[', ',', ']'].map((text) => Buffer.from(text));

/** `[a,b,…]` from the bytes of JSON values a, b, …, copied once. */
function jsonArray(values: Buffer[]): Buffer {
  const parts: Buffer[] = [];
  for (const value of values) parts.push(parts.length === 0 ? OPEN : COMMA, value);
  if (parts.length === 0) parts.push(OPEN);
  parts.push(CLOSE);
  return Buffer.concat(parts);
}
