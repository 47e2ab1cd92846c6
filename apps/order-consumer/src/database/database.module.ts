import { DatabaseConfig, databaseConfig, StartupConfig, startupConfig } from '@app/config';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PinoLogger } from 'nestjs-pino';
import { dataSourceOptions } from './data-source.options';
import { MigrationRunner } from './migration-runner';
import { waitForDatabase } from './wait-for-database';

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [databaseConfig.KEY, startupConfig.KEY, PinoLogger],
      useFactory: async (database: DatabaseConfig, startup: StartupConfig, logger: PinoLogger) => {
        logger.setContext('Database');
        await waitForDatabase(database, startup.waitSeconds, logger);
        // The wait above says what is wrong in one line; TypeORM's own retries would print stack traces.
        return { ...dataSourceOptions(database), toRetry: () => false };
      },
    }),
  ],
  providers: [MigrationRunner],
})
export class DatabaseModule {}
