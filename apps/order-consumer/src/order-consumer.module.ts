import {
  appConfigModule,
  consumerConfig,
  consumerHttpConfig,
  databaseConfig,
  kafkaConfig,
  logConfig,
  startupConfig,
} from '@app/config';
import { KafkaTopicsModule } from '@app/kafka';
import { LoggingModule, MetricsModule } from '@app/platform';
import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { KafkaConsumerModule } from './kafka/kafka-consumer.module';
import { OrdersModule } from './orders/orders.module';

export const CONSUMER_CONFIG = [
  kafkaConfig,
  consumerConfig,
  databaseConfig,
  consumerHttpConfig,
  logConfig,
  startupConfig,
];

@Module({
  imports: [
    appConfigModule(CONSUMER_CONFIG),
    ScheduleModule.forRoot(),
    LoggingModule.forRoot('order-consumer'),
    MetricsModule,
    DatabaseModule,
    KafkaTopicsModule,
    KafkaConsumerModule,
    OrdersModule,
    HealthModule,
  ],
})
export class OrderConsumerModule {}
