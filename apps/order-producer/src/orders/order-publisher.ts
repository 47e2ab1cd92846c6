import { KafkaConfig, kafkaConfig } from '@app/config';
import { OrderEvent, OrderHeader, orderRecord } from '@app/contracts';
import { describeKafkaError } from '@app/dlq';
import { BATCH_FRAMING_BYTES, isTooLarge, recordBytes, sendChunks, TopicProvisioner } from '@app/kafka';
import { backoffDelay, delay, RETRY_POLICY } from '@app/platform';
import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ClientKafka } from '@nestjs/microservices';
import { Message } from 'kafkajs';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { lastValueFrom, Subject, Subscription } from 'rxjs';
import {
  BACKLOG_MAX_BYTES,
  BACKLOG_MAX_RECORDS,
  ORDERS_KAFKA_CLIENT,
  SEND_MAX_BYTES,
  SEND_MAX_RECORDS,
  SEND_STALL_MS,
} from './orders.constants';
import { ProducerMetrics } from './producer.metrics';

export interface PublisherState {
  ready: boolean;
  reason?: string;
}

interface Queued {
  message: Message;
  bytes: number;
}

/**
 * Delivers orders through Nest's ClientKafka, oldest first, one send at a time, each waiting for the
 * broker's acknowledgement (acks=all, idempotent producer). Orders wait in a backlog bounded by
 * bytes; each send takes what fits the topic's max.message.bytes. What a failed send did not get
 * written is re-sent, with exponential backoff, until it is delivered: the idempotent producer's
 * sequence numbers let the broker drop any copy it already wrote. An order larger than the topic
 * accepts is rejected at once, named in the log: no retry could ever deliver it.
 */
@Injectable()
export class OrderPublisher implements OnModuleInit, OnModuleDestroy {
  private connected = false;
  private lastError: string | undefined;
  /** When the send in flight left: one the brokers take long to acknowledge is a fault too. */
  private sendingSince: number | undefined;
  private statusSubscription?: Subscription;
  private readonly abort = new AbortController();
  private readonly backlog: Queued[] = [];
  private backlogBytes = 0;
  private sendMaxBytes = SEND_MAX_BYTES;
  private draining: Promise<void> | undefined;
  readonly counters = { sent: 0, sends: 0, rejected: 0, failedAttempts: 0 };
  /** Emits when a send has made room in the backlog, so the schedule can top it up at once. */
  readonly room = new Subject<void>();

  constructor(
    @Inject(ORDERS_KAFKA_CLIENT) private readonly client: ClientKafka,
    @Inject(kafkaConfig.KEY) private readonly kafka: KafkaConfig,
    private readonly topics: TopicProvisioner,
    @InjectPinoLogger(OrderPublisher.name) private readonly logger: PinoLogger,
    private readonly metrics: ProducerMetrics,
  ) {}

  async onModuleInit(): Promise<void> {
    this.statusSubscription = this.client.status.subscribe((status) => {
      this.connected = String(status) === 'connected';
    });
    const topicLimit = this.topics.maxMessageBytes(this.kafka.topics.orders);
    if (topicLimit !== undefined) this.sendMaxBytes = Math.min(SEND_MAX_BYTES, topicLimit);
    await this.client.connect();
    this.connected = true;
  }

  onModuleDestroy(): void {
    this.statusSubscription?.unsubscribe();
  }

  state(now = Date.now()): PublisherState {
    if (!this.connected) return { ready: false, reason: 'Kafka producer is not connected' };
    if (this.lastError) return { ready: false, reason: `last send failed: ${this.lastError}` };
    const waiting = this.sendingSince === undefined ? 0 : now - this.sendingSince;
    if (waiting > SEND_STALL_MS) {
      // e.g. a leader whose followers are gone but not yet out of its ISR: acks=all waits for them.
      return {
        ready: false,
        reason: `no acknowledgement from the brokers for ${Math.round(waiting / 1000)} s`,
      };
    }
    return { ready: true };
  }

  /** Whether the backlog can take more orders; when it cannot, the broker is slower than the rate. */
  hasRoom(): boolean {
    return this.backlog.length < BACKLOG_MAX_RECORDS && this.backlogBytes < BACKLOG_MAX_BYTES;
  }

  /** Queues an order for delivery; unless a send is under way, one starts right after the caller’s burst. */
  enqueue(order: OrderEvent): void {
    const message: Message = orderRecord(order);
    const bytes = recordBytes(message);
    if (BATCH_FRAMING_BYTES + bytes > this.sendMaxBytes) return this.reject(message, bytes);
    this.backlog.push({ message, bytes });
    this.backlogBytes += bytes;
    if (!this.draining && !this.abort.signal.aborted) this.draining = this.drain();
  }

  /** Resolves once every queued order is delivered or rejected, or delivery was given up. */
  async idle(): Promise<void> {
    await this.draining;
  }

  /**
   * Stops delivering (the shutdown's grace is over): the send in flight is abandoned and the
   * backlog stays unsent. What the broker already acknowledged stays counted.
   */
  giveUp(): void {
    this.abort.abort();
  }

  private async drain(): Promise<void> {
    // The first send leaves once the caller has queued all it had (a schedule tick queues many orders
    // at once): not with the first order alone, followed by sends of whatever piled up behind it.
    await Promise.resolve();
    while (this.backlog.length > 0 && !this.abort.signal.aborted) {
      const sending = this.deliver(this.nextChunk());
      // Once the send is on the wire (kafkajs gets there in microtasks), the schedule tops the backlog
      // up while the broker works: making the next orders overlaps waiting for this acknowledgement.
      setImmediate(() => this.hasRoom() && this.room.next());
      await sending;
    }
    // No await between the emptiness check above and this line: an order queued from here on starts a new drain.
    this.draining = undefined;
  }

  private nextChunk(): Queued[] {
    const limits = { maxRecords: SEND_MAX_RECORDS, maxBytes: this.sendMaxBytes };
    const first = sendChunks(this.backlog, limits, (queued) => queued.bytes).next();
    const chunk = this.backlog.splice(0, first.done ? 0 : first.value.length);
    this.backlogBytes -= chunk.reduce((sum, queued) => sum + queued.bytes, 0);
    return chunk;
  }

  private async deliver(chunk: Queued[]): Promise<void> {
    let pending = chunk;
    for (let attempt = 1; !this.abort.signal.aborted; attempt++) {
      const messages = pending.map((queued) => queued.message);
      this.sendingSince ??= Date.now();
      try {
        await this.connectClient();
        // kafkajs retries a send on its own while a leader moves: the wait ends early when the
        // publisher gives up, and the abandoned send dies with the client.
        await untilAborted(
          lastValueFrom(this.client.emitBatch(this.kafka.topics.orders, { messages })),
          this.abort.signal,
        );
        this.acknowledged(pending.length);
        this.counters.sends += 1;
        this.lastError = undefined;
        this.sendingSince = undefined;
        return;
      } catch (error) {
        if (error instanceof DeliveryAbandoned) return;
        this.sendingSince = undefined;
        if (isTooLarge(error)) return this.shrinkSends(pending);
        // The partitions kafkajs had written before it gave up are done: sent again, under new
        // sequence numbers, they would be written twice. The rest keeps its sequence numbers, so
        // the broker drops any share of it that it did write.
        const written = orderIdsOf(error);
        if (written.size > 0) {
          const before = pending.length;
          pending = pending.filter((queued) => !written.has(orderIdOf(queued.message) ?? ''));
          this.acknowledged(before - pending.length);
          if (pending.length === 0) return;
        }
        this.counters.failedAttempts += 1;
        this.metrics.produceErrors.inc();
        this.lastError = describeKafkaError(error);
        const wait = backoffDelay(attempt, RETRY_POLICY.baseMs, RETRY_POLICY.capMs);
        this.logger.warn(
          {
            orders: pending.length,
            first_order_id: orderIdOf(pending[0].message),
            attempt,
            retry_in_ms: wait,
            err: this.lastError,
          },
          'publish failed, retrying',
        );
        await delay(wait, this.abort.signal);
      }
    }
  }

  private acknowledged(orders: number): void {
    this.counters.sent += orders;
    this.metrics.produced.inc(orders);
  }

  /**
   * Nest's ClientKafka keeps its first connect() promise until close(): one that failed (the cluster
   * was unreachable at that moment) would fail every later send. Nothing was sent through a producer
   * that never connected, so dropping it loses no sequence number.
   */
  private async connectClient(): Promise<void> {
    try {
      await this.client.connect();
    } catch (error) {
      await this.client.close().catch(() => undefined);
      throw error;
    }
  }

  /**
   * The topic's limit went down after start-up. kafkajs has rewound the sequence numbers of every
   * partition in the refused send, including any whose share the broker did write, so the producer
   * is closed: the next one gets a new producer id, whose sequences start afresh. The chunk goes back to the front of the
   * backlog and out again in smaller sends; a share written twice is a duplicate the consumer ignores.
   */
  private async shrinkSends(chunk: Queued[]): Promise<void> {
    const bytes = chunk.reduce((sum, queued) => sum + queued.bytes, BATCH_FRAMING_BYTES);
    this.sendMaxBytes = Math.min(this.sendMaxBytes, Math.floor(bytes / 2));
    this.logger.warn(
      { send_bytes: bytes, send_max_bytes: this.sendMaxBytes },
      'the broker refused a send as too large: sending less at a time',
    );
    // The next send connects a new producer (emitBatch connects on demand); a failure there is retried as any other.
    await this.client.close().catch(() => undefined);
    const fits = chunk.filter((queued) => {
      if (BATCH_FRAMING_BYTES + queued.bytes <= this.sendMaxBytes) return true;
      this.reject(queued.message, queued.bytes);
      return false;
    });
    this.backlog.unshift(...fits);
    this.backlogBytes += fits.reduce((sum, queued) => sum + queued.bytes, 0);
  }

  private reject(message: Message, bytes: number): void {
    this.counters.rejected += 1;
    this.metrics.rejected.inc();
    this.logger.error(
      {
        order_id: orderIdOf(message),
        bytes,
        err: `${bytes} bytes is larger than the topic accepts (${this.sendMaxBytes} bytes per record batch)`,
        fix: `raise max.message.bytes of topic ${this.kafka.topics.orders}`,
      },
      'order rejected: larger than the topic accepts',
    );
  }
}

function orderIdOf(message: Message): string | undefined {
  return message.headers?.[OrderHeader.CorrelationId]?.toString();
}

/** The order ids of the records a failed send had written anyway (patches/kafkajs: acknowledgedMessages). */
function orderIdsOf(error: unknown): Set<string> {
  const { acknowledgedMessages } = (error ?? {}) as { acknowledgedMessages?: Message[] };
  return new Set((acknowledgedMessages ?? []).flatMap((message) => orderIdOf(message) ?? []));
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
