import { DatabaseConfig } from '@app/config';
import { DataSourceOptions } from 'typeorm';
import { OrderEntity } from '../orders/order.entity';
import { CreateOrders1763769600000 } from './migrations/1763769600000-create-orders';
import { IndexesForBatches1764460800000 } from './migrations/1764460800000-indexes-for-batches';

/** Entities and migrations are listed as classes, not globs, so they survive webpack bundling. */
export function dataSourceOptions(database: DatabaseConfig): DataSourceOptions {
  return {
    type: 'postgres',
    url: database.url,
    entities: [OrderEntity],
    migrations: [CreateOrders1763769600000, IndexesForBatches1764460800000],
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    applicationName: 'order-consumer',
    extra: {
      max: database.poolSize,
      // Fail fast while the database is unreachable; the consumer retries with backoff and keeps
      // heartbeating, so each attempt must be shorter than the Kafka session timeout.
      connectionTimeoutMillis: 5_000,
      statement_timeout: 10_000,
      // A batch that waits on a row or table lock is a partition that waits: it fails fast and is
      // retried with its partition paused, instead of blocking the consumer's fetches.
      lock_timeout: 2_000,
      // The server-side limits cannot fire when the link itself went silent; this one can, and
      // the repository then destroys the connection rather than reuse it.
      query_timeout: 12_000,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    },
  };
}
