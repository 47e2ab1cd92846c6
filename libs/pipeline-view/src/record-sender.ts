import { KafkaConfig, kafkaConfig } from '@app/config';
import { kafkaClientOptions, reliableProducerOptions } from '@app/kafka';
import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { Kafka, logLevel, Producer } from 'kafkajs';
import { Kind, recordsOf } from '@app/order-generator';

/** The page's "send" buttons: the records of `npm run send`, through one producer kept for the view's life. */
@Injectable()
export class RecordSender implements OnModuleDestroy {
  private producer?: Promise<Producer>;

  constructor(@Inject(kafkaConfig.KEY) private readonly kafka: KafkaConfig) {}

  async send(kind: Kind): Promise<{ partition: number; says: string }> {
    const { messages, says } = recordsOf(kind);
    const producer = await this.connected();
    try {
      // Keyed by customer like the producer's records, so they land where that customer's orders do.
      const [sent] = await producer.send({ topic: this.kafka.topics.orders, acks: -1, messages });
      return { partition: sent.partition, says };
    } catch (error) {
      this.producer = undefined;
      await producer.disconnect().catch(() => undefined);
      throw error;
    }
  }

  async onModuleDestroy(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await (await producer?.catch(() => undefined))?.disconnect();
  }

  private connected(): Promise<Producer> {
    this.producer ??= (async () => {
      const client = new Kafka({
        ...kafkaClientOptions(this.kafka, 'pipeline-view-send'),
        logLevel: logLevel.NOTHING,
        retry: { retries: 2 },
      });
      const producer = client.producer(reliableProducerOptions());
      await producer.connect();
      return producer;
    })();
    this.producer.catch(() => (this.producer = undefined));
    return this.producer;
  }
}
