import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { OrdersModule } from '../orders/orders.module';
import { HealthController } from './health.controller';
import { KafkaProducerHealthIndicator } from './kafka-producer.health';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), OrdersModule],
  controllers: [HealthController],
  providers: [KafkaProducerHealthIndicator],
})
export class HealthModule {}
