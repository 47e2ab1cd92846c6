import { KafkaConfig, kafkaConfig } from '@app/config';
import { ORDER_EVENT_VERSION, OrderEvent, OrderHeader } from '@app/contracts';
import { describeError } from '@app/dlq';
import { backoffDelay, delay, RETRY_POLICY } from '@app/platform';
import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ClientKafka } from '@nestjs/microservices';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { lastValueFrom, Subscription } from 'rxjs';
import { ORDERS_KAFKA_CLIENT } from './orders.constants';
import { ProducerMetrics } from './producer.metrics';

export interface PublisherState {
  ready: boolean;
  reason?: string;
}

/**
 * Sends orders through Nest's ClientKafka and waits for the broker's acknowledgement (acks=all,
 * idempotent producer). A failed batch is re-sent with exponential backoff until it is delivered;
 * the idempotent producer's sequence numbers let the broker drop any copy it already wrote.
 */
@Injectable()
export class OrderPublisher implements OnModuleInit, OnModuleDestroy {
  private connected = false;
  private lastError: string | undefined;
  private statusSubscription?: Subscription;
  private readonly abort = new AbortController();
  readonly counters = { sent: 0, failedAttempts: 0 };

  constructor(
    @Inject(ORDERS_KAFKA_CLIENT) private readonly client: ClientKafka,
    @Inject(kafkaConfig.KEY) private readonly kafka: KafkaConfig,
    @InjectPinoLogger(OrderPublisher.name) private readonly logger: PinoLogger,
    private readonly metrics: ProducerMetrics,
  ) {}

  async onModuleInit(): Promise<void> {
    this.statusSubscription = this.client.status.subscribe((status) => {
      this.connected = String(status) === 'connected';
    });
    await this.client.connect();
    this.connected = true;
  }

  onModuleDestroy(): void {
    this.statusSubscription?.unsubscribe();
  }

  state(): PublisherState {
    if (!this.connected) return { ready: false, reason: 'Kafka producer is not connected' };
    if (this.lastError) return { ready: false, reason: `last send failed: ${this.lastError}` };
    return { ready: true };
  }

  /**
   * Stops delivering (the shutdown's grace is over): the batch being sent or retried is abandoned
   * and publish() answers false at once. What the broker already acknowledged stays counted.
   */
  giveUp(): void {
    this.abort.abort();
  }

  async publish(orders: OrderEvent[]): Promise<boolean> {
    const messages = orders.map((order) => ({
      // Keying by customer sends all of a customer's orders to one partition, which keeps them in order.
      key: order.customer_id,
      value: JSON.stringify(order),
      headers: {
        [OrderHeader.CorrelationId]: order.order_id,
        [OrderHeader.EventVersion]: ORDER_EVENT_VERSION,
      },
    }));
    for (let attempt = 1; ; attempt++) {
      if (this.abort.signal.aborted) return false;
      try {
        // kafkajs retries a send on its own for tens of seconds while the broker is away: the wait
        // ends early when the publisher gives up, and the abandoned send dies with the client.
        await untilAborted(
          lastValueFrom(this.client.emitBatch(this.kafka.topics.orders, { messages })),
          this.abort.signal,
        );
        this.counters.sent += orders.length;
        this.metrics.produced.inc(orders.length);
        this.lastError = undefined;
        return true;
      } catch (error) {
        if (error instanceof DeliveryAbandoned) return false;
        this.counters.failedAttempts += 1;
        this.metrics.produceErrors.inc();
        this.lastError = describeError(error).message;
        const wait = backoffDelay(attempt, RETRY_POLICY.baseMs, RETRY_POLICY.capMs);
        this.logger.warn(
          { order_ids: orders.map((o) => o.order_id), attempt, retry_in_ms: wait, err: this.lastError },
          'publish failed, retrying',
        );
        if (this.abort.signal.aborted) return false;
        await delay(wait, this.abort.signal);
      }
    }
  }
}

class DeliveryAbandoned extends Error {
  readonly name = 'DeliveryAbandoned';
}

/** Settles as `work` does, or rejects once `signal` aborts (an outcome already on its way wins). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  work.catch(() => undefined); // an abandoned send may still fail later; nobody waits for it
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => setImmediate(() => reject(new DeliveryAbandoned('delivery abandoned')));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
