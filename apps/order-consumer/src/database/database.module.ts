import { DatabaseConfig, databaseConfig, StartupConfig, startupConfig } from '@app/config';
import { APP_NAME } from '@app/platform';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { dataSourceOptions } from './data-source.options';
import { MigrationRunner } from './migration-runner';
import { waitForDatabase } from './wait-for-database';

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [databaseConfig.KEY, startupConfig.KEY, APP_NAME],
      useFactory: async (database: DatabaseConfig, startup: StartupConfig, app: string) => {
        await waitForDatabase(database, startup.waitSeconds, app);
        // The wait above says what is wrong in one line; TypeORM's own retries would print stack traces.
        return { ...dataSourceOptions(database), toRetry: () => false };
      },
    }),
  ],
  providers: [MigrationRunner],
})
export class DatabaseModule {}
