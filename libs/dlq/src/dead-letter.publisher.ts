import { KafkaConfig, kafkaConfig } from '@app/config';
import { kafkaClientOptions, recordBytes, reliableProducerOptions, sendChunks } from '@app/kafka';
import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Kafka, Message, Producer } from 'kafkajs';

/** A dead-letter write gives up after this long, far inside the consumer's session timeout. */
export const DLQ_SEND_TIMEOUT_MS = 10_000;
/** Most bytes per send: the topic takes record batches of 2.25 MiB at most, headers included. */
export const DLQ_SEND_MAX_BYTES = 1024 * 1024;
const DLQ_SEND_LIMITS = { maxRecords: Number.MAX_SAFE_INTEGER, maxBytes: DLQ_SEND_MAX_BYTES };

export class DeadLetterTimeoutError extends Error {
  readonly name = 'DeadLetterTimeoutError';
}

/**
 * Writes dead letters to the DLQ topic, acknowledged by every in-sync replica, and fails within a
 * bound instead of sitting in the client's own retries while the consumer's partitions wait.
 * After a failed write the producer is replaced: a new producer id starts clean sequence numbers,
 * which matters when the topic was deleted and created again.
 */
@Injectable()
export class DeadLetterPublisher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly kafka: Kafka;
  private producer?: Promise<Producer>;

  constructor(@Inject(kafkaConfig.KEY) private readonly settings: KafkaConfig) {
    this.kafka = new Kafka({
      ...kafkaClientOptions(settings, 'order-consumer-dlq'),
      requestTimeout: 5_000,
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.connected();
  }

  async onApplicationShutdown(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.then((p) => p.disconnect()).catch(() => undefined);
  }

  /** Resolves once every message is durable in the DLQ topic; rejects if any may not be. */
  async publish(messages: Message[]): Promise<void> {
    const producer = await this.connected();
    try {
      for (const chunk of sendChunks(messages, DLQ_SEND_LIMITS, recordBytes)) {
        await withTimeout(
          producer.send({ topic: this.settings.topics.dlq, acks: -1, timeout: 5_000, messages: chunk }),
          DLQ_SEND_TIMEOUT_MS,
        );
      }
    } catch (error) {
      if (this.producer) {
        this.producer = undefined;
        void producer.disconnect().catch(() => undefined);
      }
      throw error;
    }
  }

  private connected(): Promise<Producer> {
    this.producer ??= (async () => {
      const producer = this.kafka.producer(
        // Few client retries: the consumer's own backoff, which heartbeats, does the waiting.
        reliableProducerOptions({ retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 1_000 } }),
      );
      await withTimeout(producer.connect(), DLQ_SEND_TIMEOUT_MS);
      return producer;
    })().catch((error: unknown) => {
      this.producer = undefined;
      throw error;
    });
    return this.producer;
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadLetterTimeoutError(`no acknowledgement within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
