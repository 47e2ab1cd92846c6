import {
  appConfigModule,
  kafkaConfig,
  logConfig,
  producerConfig,
  producerHttpConfig,
  startupConfig,
} from '@app/config';
import { LoggingModule, MetricsModule } from '@app/platform';
import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { HealthModule } from './health/health.module';
import { OrdersModule } from './orders/orders.module';

export const PRODUCER_CONFIG = [kafkaConfig, producerConfig, producerHttpConfig, logConfig, startupConfig];

@Module({
  imports: [
    appConfigModule(PRODUCER_CONFIG),
    LoggingModule.forRoot('order-producer'),
    ScheduleModule.forRoot(),
    MetricsModule,
    OrdersModule,
    HealthModule,
  ],
})
export class OrderProducerModule {}
