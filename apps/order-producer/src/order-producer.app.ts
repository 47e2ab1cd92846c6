import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { OrderProducerModule } from './order-producer.module';

/** The producer app with its JSON logger; the schedule starts emitting once the app is initialised. */
export async function createOrderProducerApp(): Promise<INestApplication> {
  const app = await NestFactory.create(OrderProducerModule, {
    bufferLogs: true,
    // A failed start-up reaches main's one-line report instead of Nest's stack traces and exit.
    abortOnError: false,
    autoFlushLogs: false,
  });
  app.useLogger(app.get(Logger));
  return app;
}
