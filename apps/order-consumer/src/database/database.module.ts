import { DatabaseConfig, databaseConfig } from '@app/config';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { dataSourceOptions } from './data-source.options';
import { MigrationRunner } from './migration-runner.service';

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [databaseConfig.KEY],
      useFactory: (database: DatabaseConfig) => ({ ...dataSourceOptions(database), retryAttempts: 5 }),
    }),
  ],
  providers: [MigrationRunner],
})
export class DatabaseModule {}
