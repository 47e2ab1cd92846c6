import { appConfigModule, databaseConfig, startupConfig } from '@app/config';
import { startupLine } from '@app/platform';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source.options';
import { migrateWithLock } from './migration-runner';
import { waitForDatabase } from './wait-for-database';

/**
 * `node dist/apps/order-consumer/main.js migrate`: the one-shot migrate step of the compose stack,
 * runnable from the production image (which has no TypeORM CLI or TypeScript sources).
 */
export async function runMigrateCommand(): Promise<void> {
  // The settings as the app reads them (.env included, every variable checked); no Nest app is started.
  await appConfigModule([databaseConfig, startupConfig]);
  const database = databaseConfig();
  await waitForDatabase(database, startupConfig().waitSeconds, 'order-consumer');
  const dataSource = new DataSource(dataSourceOptions(database));
  await dataSource.initialize();
  try {
    const applied = await migrateWithLock(dataSource);
    startupLine('order-consumer', 'info', 'migrations applied', { migrations: applied });
  } finally {
    await dataSource.destroy();
  }
}
