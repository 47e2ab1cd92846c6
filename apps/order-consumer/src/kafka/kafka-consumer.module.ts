import { Global, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { ConsumerState } from './consumer-state.service';
import { MessageDeliveryInterceptor } from './message-delivery.interceptor';
import { ProcessingStats } from './processing-stats.service';

@Global()
@Module({
  providers: [
    ConsumerState,
    ProcessingStats,
    { provide: APP_INTERCEPTOR, useClass: MessageDeliveryInterceptor },
  ],
  exports: [ConsumerState, ProcessingStats],
})
export class KafkaConsumerModule {}
