import { DatabaseConfig, databaseConfig } from '@app/config';
import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { Pool } from 'pg';

export interface DatabaseReading {
  rows: number;
  p50Ms: number | null;
  p99Ms: number | null;
  recent: Array<{ orderId: string; customerId: string }>;
}

const LATENCY_SAMPLE = 2_000;
const UNDEFINED_TABLE = '42P01';

/** The database's side of the view: one small pool for every page, one round trip a second. */
@Injectable()
export class DatabaseProbe implements OnModuleDestroy {
  private readonly pool: Pool;

  constructor(@Inject(databaseConfig.KEY) database: DatabaseConfig) {
    this.pool = new Pool({
      connectionString: database.url,
      max: 1,
      connectionTimeoutMillis: 2_000,
      statement_timeout: 2_000,
      query_timeout: 2_500,
    });
    // A server that goes away fails the next query, which the page reports; the event alone is not an error.
    this.pool.on('error', () => undefined);
  }

  async read(): Promise<DatabaseReading> {
    try {
      return await this.readOnce();
    } catch (error) {
      if ((error as { code?: string }).code === UNDEFINED_TABLE) {
        throw new Error('the orders table does not exist yet (the consumer creates it when it starts)');
      }
      throw error;
    }
  }

  private async readOnce(): Promise<DatabaseReading> {
    // One statement: the count the page shows equals `SELECT count(*) FROM orders`; latency over the
    // latest orders created in the last minute (at most LATENCY_SAMPLE of them, read backwards along
    // idx_orders_created_at, so a backlog drained at full speed costs no more), the latest orders alike.
    const { rows } = await this.pool.query<{
      rows: string;
      p50: number | null;
      p99: number | null;
      recent: Array<{ order_id: string; customer_id: string }> | null;
    }>(
      `SELECT (SELECT count(*) FROM orders) AS rows,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50,
              percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99,
              (SELECT json_agg(r) FROM (SELECT order_id, customer_id FROM orders
                 ORDER BY created_at DESC LIMIT 6) r) AS recent
         FROM (SELECT extract(epoch FROM processed_at - created_at) * 1000 AS ms
                 FROM orders WHERE created_at >= now() - interval '1 minute'
                ORDER BY created_at DESC LIMIT ${LATENCY_SAMPLE}) latest`,
    );
    const [row] = rows;
    return {
      rows: Number(row.rows),
      p50Ms: row.p50 === null ? null : Math.round(row.p50),
      p99Ms: row.p99 === null ? null : Math.round(row.p99),
      recent: (row.recent ?? []).map((r) => ({ orderId: r.order_id, customerId: r.customer_id })),
    };
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }
}
