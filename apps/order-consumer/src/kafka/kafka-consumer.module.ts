import { DeadLetterInterceptor, DeadLetterPublisher } from '@app/dlq';
import { BatchExceptionFilter } from '@app/kafka';
import { Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import { ConsumerLagMonitor } from './consumer-lag.monitor';
import { ConsumerState } from './consumer-state';
import { ConsumerMetrics } from './consumer.metrics';
import { ConsumerTelemetry } from './consumer-telemetry';

@Module({
  providers: [
    ConsumerState,
    ConsumerTelemetry,
    ConsumerMetrics,
    ConsumerLagMonitor,
    DeadLetterPublisher,
    // Registered once for the whole app; inheritAppConfig carries them to the Kafka handlers.
    { provide: APP_INTERCEPTOR, useClass: DeadLetterInterceptor },
    { provide: APP_FILTER, useClass: BatchExceptionFilter },
  ],
  exports: [ConsumerState, ConsumerTelemetry],
})
export class KafkaConsumerModule {}
