import { KafkaConfig, kafkaConfig, ProducerConfig, producerConfig } from '@app/config';
import { kafkaClientOptions, KafkaTopicsModule, reliableProducerOptions } from '@app/kafka';
import { Module } from '@nestjs/common';
import { ClientsModule, Transport } from '@nestjs/microservices';
import { OrderGenerator } from '@app/order-generator';
import { OrderPublisher } from './order-publisher';
import { OrderSchedule } from './order-schedule';
import { ORDERS_KAFKA_CLIENT } from './orders.constants';
import { ProducerMetrics } from './producer.metrics';

@Module({
  imports: [
    KafkaTopicsModule,
    ClientsModule.registerAsync([
      {
        name: ORDERS_KAFKA_CLIENT,
        inject: [kafkaConfig.KEY],
        useFactory: (kafka: KafkaConfig) => ({
          transport: Transport.KAFKA,
          options: {
            client: kafkaClientOptions(kafka, 'order-producer'),
            producerOnlyMode: true,
            postfixId: '',
            producer: reliableProducerOptions({
              // kafkajs warns that capping an idempotent producer's retries "may invalidate EoS": after
              // giving up (in about 2 s, so that readiness says why, e.g. NOT_ENOUGH_REPLICAS),
              // OrderPublisher re-sends what was not written, whose unchanged sequence numbers let the
              // broker drop any share it did write; what was written is not sent again.
              retry: { retries: 3, initialRetryTime: 300, maxRetryTime: 2_000 },
            }),
            // acks=all: a send resolves only once every in-sync replica has the batch.
            send: { acks: -1 },
          },
        }),
      },
    ]),
  ],
  providers: [
    {
      provide: OrderGenerator,
      inject: [producerConfig.KEY],
      useFactory: (producer: ProducerConfig) => new OrderGenerator(producer.seed),
    },
    OrderPublisher,
    OrderSchedule,
    ProducerMetrics,
  ],
  exports: [OrderPublisher, OrderSchedule],
})
export class OrdersModule {}
