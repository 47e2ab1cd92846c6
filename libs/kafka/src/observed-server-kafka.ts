import { KafkaOptions, ServerKafka } from '@nestjs/microservices';
import { Consumer } from 'kafkajs';

/** Told about the consumer's life: its kafkajs events, and the moment the server starts closing. */
export interface ConsumerObserver {
  watch(consumer: Consumer): void;
  closing(): void;
}

/**
 * Nest's Kafka server with two hooks: the consumer's events are observed from the moment it is
 * created (so the first group join is not missed), and the observer learns of close() before the
 * consumer disconnects, in time to abandon a retry wait instead of blocking the shutdown.
 */
export class ObservedServerKafka extends ServerKafka {
  constructor(
    options: Required<KafkaOptions>['options'],
    private readonly observer: ConsumerObserver,
  ) {
    super(options);
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
