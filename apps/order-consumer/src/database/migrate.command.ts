import { appConfigModule, databaseConfig, logConfig, startupConfig } from '@app/config';
import { LoggingModule } from '@app/platform';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { DatabaseModule } from './database.module';

/** The part of the consumer the migrate step needs: its settings, its logger and its database. */
@Module({
  imports: [
    appConfigModule([databaseConfig, logConfig, startupConfig]),
    LoggingModule.forRoot('order-consumer'),
    DatabaseModule,
  ],
})
export class MigrateModule {}

/**
 * `node dist/apps/order-consumer/main.js migrate`: the one-shot migrate step of the compose stack,
 * runnable from the production image (which has no TypeORM CLI or TypeScript sources). A Nest
 * application context with no HTTP and no Kafka: initialising it waits for the database and
 * applies the migrations (MigrationRunner), under the same lock as consumers starting beside it.
 */
export async function runMigrateCommand(): Promise<void> {
  const app = await NestFactory.createApplicationContext(MigrateModule, {
    bufferLogs: true,
    // A failed start-up reaches main's one-line report instead of Nest's stack traces and exit.
    abortOnError: false,
    autoFlushLogs: false,
  });
  app.useLogger(app.get(Logger));
  app.flushLogs();
  await app.close();
}
