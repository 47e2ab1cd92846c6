import { KafkaOptions, ServerKafka } from '@nestjs/microservices';
import { KafkaParser } from '@nestjs/microservices/helpers';
import { Consumer, EachMessagePayload, KafkaJSError, KafkaMessage } from 'kafkajs';

/** Told about the consumer's life: its kafkajs events, and the moment the server starts closing. */
export interface ConsumerObserver {
  watch(consumer: Consumer): void;
  closing(): void;
}

/**
 * Leaves key, value and headers as the bytes kafkajs received. Nest's parser would decode them (and
 * JSON-parse anything that starts with "{"), but a dead letter must carry the original bytes.
 */
class RawKafkaParser extends KafkaParser {
  parse<T = KafkaMessage>(data: KafkaMessage): T {
    return { ...data, headers: { ...data.headers } } as T;
  }
}

/**
 * Nest's Kafka server with three changes: records reach handlers as raw bytes; the consumer's
 * events are observed from the moment it is created (so the first group join is not missed); and
 * the observer learns of close() before the consumer disconnects, in time to abandon a retry wait
 * instead of blocking the shutdown.
 */
export class ObservedServerKafka extends ServerKafka {
  private readonly inFlight = new Set<Promise<unknown>>();
  private drained = false;

  constructor(
    options: Required<KafkaOptions>['options'],
    private readonly observer: ConsumerObserver,
  ) {
    super(options);
    this.parser = new RawKafkaParser();
  }

  protected registerConsumerEventListeners(): void {
    super.registerConsumerEventListeners();
    if (this.consumer) this.observer.watch(this.consumer);
  }

  /** Tracks every record being handled, so close() can let them finish. */
  getMessageHandler(): (payload: EachMessagePayload) => Promise<unknown> {
    const handle = super.getMessageHandler();
    return async (payload) => {
      if (this.drained) {
        // Too late to commit (see close()): leave the record for the next owner of the partition.
        throw new KafkaJSError('consumer is closing', { retriable: true });
      }
      const work = handle(payload);
      this.inFlight.add(work);
      try {
        return (await work) as unknown;
      } finally {
        this.inFlight.delete(work);
      }
    };
  }

  /**
   * kafkajs drops manual commits silently once consumer.stop() has begun, so a record finishing
   * during a plain disconnect would be stored but never committed. Instead: stop fetching (pause),
   * let the records in flight finish and commit while still a group member, then disconnect.
   */
  async close(): Promise<void> {
    this.observer.closing();
    if (this.consumer) {
      this.consumer.pause([...this.messageHandlers.keys()].map((topic) => ({ topic })));
      while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    }
    this.drained = true;
    await super.close();
  }
}
