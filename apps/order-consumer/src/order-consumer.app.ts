import { ConsumerConfig, consumerConfig, KafkaConfig, kafkaConfig } from '@app/config';
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { ConsumerState } from './kafka/consumer-state';
import { ConsumerTelemetry } from './kafka/consumer-telemetry';
import { createConsumerServer } from './kafka/consumer-server.factory';
import { OrderConsumerModule } from './order-consumer.module';

/**
 * The hybrid app (HTTP for health, Kafka for orders), initialised: migrations and topic provisioning
 * have run. It joins its group on app.startAllMicroservices(), which main calls once HTTP listens: a
 * process that cannot serve its health endpoints must not take partitions from the group first.
 */
export async function createOrderConsumerApp(): Promise<INestApplication> {
  const app = await NestFactory.create(OrderConsumerModule, {
    bufferLogs: true,
    // A failed start-up reaches main's one-line report instead of Nest's stack traces and exit.
    abortOnError: false,
    autoFlushLogs: false,
  });
  app.useLogger(app.get(Logger));
  app.connectMicroservice(
    {
      strategy: createConsumerServer(
        app.get<KafkaConfig>(kafkaConfig.KEY),
        app.get<ConsumerConfig>(consumerConfig.KEY),
        app.get(ConsumerState),
        app.get(ConsumerTelemetry),
      ),
    },
    // The global interceptor (commit/retry policy) applies to the Kafka handlers too.
    { inheritAppConfig: true },
  );
  await app.init();
  // Logs buffered while the app started go out once it has (autoFlushLogs is off so that a failed
  // start prints main's one line, not them); later ones go straight to the JSON logger.
  app.flushLogs();
  return app;
}
