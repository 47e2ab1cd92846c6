import { DeadLetterInterceptor, DeadLetterPublisher, DeliveryMonitor } from '@app/dlq';
import { Global, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
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
    // Registered once for the whole app; inheritAppConfig carries it to the Kafka handlers.
    { provide: APP_INTERCEPTOR, useClass: DeadLetterInterceptor },
  ],
  exports: [ConsumerState, ProcessingStats],
})
export class KafkaConsumerModule {}
