import { DeadLetterInterceptor, DeadLetterPublisher, DeliveryMonitor } from '@app/dlq';
import { BatchExceptionFilter } from '@app/kafka';
import { Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import { ConsumerLagMonitor } from './consumer-lag.monitor';
import { ConsumerState } from './consumer-state.service';
import { ConsumerMetrics } from './consumer.metrics';
import { ProcessingStats } from './processing-stats.service';

@Global()
@Module({
  providers: [
    ConsumerState,
    ProcessingStats,
    ConsumerMetrics,
    ConsumerLagMonitor,
    DeadLetterPublisher,
    { provide: DeliveryMonitor, useExisting: ProcessingStats },
    // Registered once for the whole app; inheritAppConfig carries them to the Kafka handlers.
    { provide: APP_INTERCEPTOR, useClass: DeadLetterInterceptor },
    { provide: APP_FILTER, useClass: BatchExceptionFilter },
  ],
  exports: [ConsumerState, ProcessingStats],
})
export class KafkaConsumerModule {}
