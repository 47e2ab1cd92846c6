import { KafkaOptions, ServerKafka } from '@nestjs/microservices';
import { KafkaParser } from '@nestjs/microservices/helpers';
import { Consumer, KafkaMessage } from 'kafkajs';

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

  async close(): Promise<void> {
    this.observer.closing();
    await super.close();
  }
}
