import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { OrderProducerModule } from './order-producer.module';

/** The producer app, initialised (topics provisioned, Kafka connected), with its JSON logger; it emits from here on. */
export async function createOrderProducerApp(): Promise<INestApplication> {
  const app = await NestFactory.create(OrderProducerModule, {
    bufferLogs: true,
    // A failed start-up reaches main's one-line report instead of Nest's stack traces and exit.
    abortOnError: false,
    autoFlushLogs: false,
  });
  app.useLogger(app.get(Logger));
  await app.init();
  // Logs buffered while the app started go out once it has (autoFlushLogs is off so that a failed
  // start prints main's one line, not them); later ones go straight to the JSON logger.
  app.flushLogs();
  return app;
}
