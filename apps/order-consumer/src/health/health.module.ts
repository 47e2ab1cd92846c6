import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { KafkaConsumerModule } from '../kafka/kafka-consumer.module';
import { HealthController } from './health.controller';
import { KafkaConsumerHealthIndicator } from './kafka-consumer.health';

@Module({
  // Readiness reads the consumer's state: the module that owns it says so by exporting it.
  imports: [TerminusModule.forRoot({ logger: false }), KafkaConsumerModule],
  controllers: [HealthController],
  providers: [KafkaConsumerHealthIndicator],
})
export class HealthModule {}
