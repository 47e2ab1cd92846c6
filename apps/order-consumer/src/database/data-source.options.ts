import { DatabaseConfig } from '@app/config';
import { DataSourceOptions } from 'typeorm';
import { OrderEntity } from '../orders/order.entity';
import { CreateOrders1763769600000 } from './migrations/1763769600000-create-orders';

/** Entities and migrations are listed as classes, not globs, so they survive webpack bundling. */
export function dataSourceOptions(database: DatabaseConfig): DataSourceOptions {
  return {
    type: 'postgres',
    url: database.url,
    entities: [OrderEntity],
    migrations: [CreateOrders1763769600000],
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
      query_timeout: 12_000,
    },
  };
}
