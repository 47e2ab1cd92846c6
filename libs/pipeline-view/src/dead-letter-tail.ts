import { KafkaConfig, kafkaConfig } from '@app/config';
import { OrderHeader } from '@app/contracts';
import { DlqHeader } from '@app/dlq';
import { kafkaClientOptions } from '@app/kafka';
import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { Admin, Consumer, IHeaders, Kafka, KafkaMessage, logLevel } from 'kafkajs';
import { hostname } from 'node:os';
import { DeadLetterEntry } from './pipeline-snapshot';

/** Dead letters the page lists. */
const KEPT = 10;
const RESTART_AFTER_MS = 5_000;

/**
 * The latest dead letters, read as they arrive by a consumer of the DLQ topic in a group of its own
 * that never commits (so the broker forgets the group once the view stops). On joining, it starts
 * each partition KEPT records before its end: the page shows the latest, not the whole history.
 */
@Injectable()
export class DeadLetterTail implements OnModuleDestroy {
  private consumer?: Consumer;
  private admin?: Admin;
  private starting?: Promise<void>;
  private lastTry = 0;
  private closed = false;
  private seeking?: Promise<void>;
  private readonly latest: DeadLetterEntry[] = [];
  /** Why the tail is not reading, or undefined while it is. */
  problem: string | undefined;

  constructor(@Inject(kafkaConfig.KEY) private readonly kafka: KafkaConfig) {}

  /** The latest dead letters, newest first; (re)starts the reader when it is not running. */
  entries(): DeadLetterEntry[] {
    if (!this.closed && !this.consumer && !this.starting && Date.now() - this.lastTry >= RESTART_AFTER_MS) {
      this.lastTry = Date.now();
      this.starting = this.start().finally(() => (this.starting = undefined));
    }
    return [...this.latest];
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    await this.starting;
    await this.stop();
  }

  private async start(): Promise<void> {
    const topic = this.kafka.topics.dlq;
    const client = new Kafka({
      ...kafkaClientOptions(this.kafka, 'pipeline-view-dlq'),
      logLevel: logLevel.NOTHING,
      // No restarts of kafkajs's own (their timers outlive a disconnect): a crash stops this reader,
      // and entries() starts a new one a few seconds later.
      retry: { retries: 2, restartOnFailure: () => Promise.resolve(false) },
    });
    const consumer = client.consumer({
      groupId: `pipeline-view-${hostname()}-${process.pid}-${Date.now()}`,
      // The dead letters are written in transactions: read only what was committed.
      readUncommitted: false,
      allowAutoTopicCreation: false,
    });
    const admin = client.admin();
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      const partitions = payload.memberAssignment[topic] ?? [];
      this.seeking = admin.fetchTopicOffsets(topic).then(
        (offsets) => {
          for (const { partition, low, high } of offsets) {
            if (!partitions.includes(partition)) continue;
            const from = BigInt(high) - BigInt(KEPT);
            const offset = from > BigInt(low) ? from : BigInt(low);
            consumer.seek({ topic, partition, offset: offset.toString() });
          }
        },
        () => undefined,
      );
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (this.closed) return;
      this.problem = `the DLQ reader stopped: ${payload.error.message}`;
      void this.stop();
    });
    try {
      await admin.connect();
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => this.keep(partition, message),
      });
      this.consumer = consumer;
      this.admin = admin;
      this.problem = undefined;
    } catch (error) {
      this.problem = `the DLQ topic ${topic} cannot be read: ${(error as Error).message}`;
      await Promise.all([consumer.disconnect(), admin.disconnect()]).catch(() => undefined);
    }
  }

  private keep(partition: number, message: KafkaMessage): Promise<void> {
    const header = (name: string) => headerText(message.headers, name);
    // A rejoin seeks back KEPT records: what is already listed is not listed twice.
    if (this.latest.some((e) => e.dlqPartition === partition && e.dlqOffset === message.offset)) {
      return Promise.resolve();
    }
    this.latest.unshift({
      dlqPartition: partition,
      dlqOffset: message.offset,
      reason: header(DlqHeader.Reason),
      errorClass: header(DlqHeader.ErrorClass),
      error: header(DlqHeader.ErrorMessage),
      original: {
        topic: header(DlqHeader.OriginalTopic),
        partition: header(DlqHeader.OriginalPartition),
        offset: header(DlqHeader.OriginalOffset),
      },
      orderId: header(OrderHeader.CorrelationId) || null,
      failedAt: Date.parse(header(DlqHeader.FailedAt)) || Number(message.timestamp),
    });
    this.latest.sort((a, b) => b.failedAt - a.failedAt);
    this.latest.length = Math.min(this.latest.length, KEPT);
    return Promise.resolve();
  }

  private async stop(): Promise<void> {
    // kafkajs connects to brokers for a request in flight even after disconnect(): let it end first.
    await this.seeking;
    const { consumer, admin } = this;
    this.consumer = this.admin = undefined;
    await Promise.all([consumer?.disconnect(), admin?.disconnect()]).catch(() => undefined);
  }
}

function headerText(headers: IHeaders | undefined, name: string): string {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? '' : first.toString();
}
