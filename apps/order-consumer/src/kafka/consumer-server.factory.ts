import { ConsumerConfig, KafkaConfig } from '@app/config';
import { RETRY_CAP_MS } from '@app/dlq';
import { kafkaClientOptions, ObservedServerKafka, reliableProducerOptions } from '@app/kafka';
import { hostname } from 'node:os';
import { ConsumerState } from './consumer-state.service';

/** The Kafka side of the hybrid app: consumer group, manual commits, one partition per worker. */
export function createConsumerServer(kafka: KafkaConfig, consumer: ConsumerConfig, state: ConsumerState) {
  return new ObservedServerKafka(
    {
      client: kafkaClientOptions(kafka, `order-consumer-${hostname()}-${process.pid}`),
      // Nest appends "-server" to the group id unless told otherwise; the group is named in config.
      postfixId: '',
      consumer: {
        groupId: consumer.groupId,
        allowAutoTopicCreation: false,
        // A retry wait heartbeats at least every RETRY_CAP_MS, far inside the session timeout.
        sessionTimeout: Math.max(30_000, RETRY_CAP_MS * 6),
        heartbeatInterval: 3_000,
        rebalanceTimeout: 60_000,
      },
      // Start a new group at the earliest offset, so orders sent before the first consumer are not lost.
      subscribe: { fromBeginning: true },
      run: {
        // Offsets are committed by hand, only once the row is durable (MessageDeliveryInterceptor).
        autoCommit: false,
        // Partitions are processed in parallel; records within one partition stay in order.
        partitionsConsumedConcurrently: consumer.concurrency,
      },
      // The server's producer writes dead letters: acknowledged by every in-sync replica, never duplicated.
      producer: reliableProducerOptions(),
    },
    state,
  );
}
