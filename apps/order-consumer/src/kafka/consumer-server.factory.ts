import { ConsumerConfig, KafkaConfig } from '@app/config';
import { OrderTopic } from '@app/contracts';
import { KAFKA_RETRY, kafkaClientOptions, KafkaBatchServer } from '@app/kafka';
import { RETRY_POLICY } from '@app/platform';
import { hostname } from 'node:os';
import { ConsumerState } from './consumer-state';
import { ConsumerTelemetry } from './consumer-telemetry';

/** The Kafka side of the hybrid app: consumer group, batches per partition, manual commits. */
export function createConsumerServer(
  kafka: KafkaConfig,
  consumer: ConsumerConfig,
  state: ConsumerState,
  telemetry: ConsumerTelemetry,
) {
  return new KafkaBatchServer(
    {
      client: kafkaClientOptions(kafka, `order-consumer-${hostname()}-${process.pid}`),
      // Nest appends "-server" to the group id unless told otherwise; the group is named in config.
      postfixId: '',
      consumer: {
        groupId: consumer.groupId,
        allowAutoTopicCreation: false,
        // A batch heartbeats between its statements and dead-letter sends, each bounded well inside
        // the session (statement_timeout, query_timeout, DLQ_SEND_TIMEOUT_MS); retries wait with
        // the partition paused while kafkajs keeps heartbeating.
        sessionTimeout: 30_000,
        heartbeatInterval: 3_000,
        rebalanceTimeout: 60_000,
        // A fetch that keeps failing (a dead leader until its partitions move, ~10 s) is retried for
        // about the session before kafkajs restarts the consumer, which leaves and rejoins the group
        // (a rebalance for every member). kafkajs's default, 5 retries, gives up within ~3 s.
        retry: { ...KAFKA_RETRY, retries: 30 },
        // How long the broker holds a fetch open when there is nothing new: the Java client's 500 ms,
        // not kafkajs's 5 s. kafkajs restarts all of a consumer's fetches when one fails (a broker
        // died) and first waits for the others to return: up to this long, every time.
        maxWaitTimeInMs: 500,
      },
      // Start a new group at the earliest offset, so orders sent before the first consumer are not lost.
      subscribe: { fromBeginning: true },
      run: {
        // Partitions are processed in parallel; records within one partition stay in order.
        partitionsConsumedConcurrently: consumer.concurrency,
      },
    },
    {
      topics: { [OrderTopic.Orders]: kafka.topics.orders },
      maxBatchSize: consumer.batchMax,
      retry: RETRY_POLICY,
      // Leaves the rest of the 10 s shutdown deadline for leaving the group and closing the pool.
      closeGraceMs: 5_000,
    },
    // Readiness follows the consumer's life; metrics and the log line follow committed batches.
    [state, telemetry],
  );
}
