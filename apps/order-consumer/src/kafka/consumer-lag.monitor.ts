import { ConsumerConfig, consumerConfig, KafkaConfig, kafkaConfig } from '@app/config';
import { fetchPartitionLag, kafkaClientOptions } from '@app/kafka';
import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { Admin, Kafka } from 'kafkajs';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { ConsumerMetrics } from './consumer.metrics';

export const LAG_EVERY_MS = 5_000;

/**
 * Refreshes the lag gauge from one long-lived admin client every few seconds (partitionLag: log-end
 * offset minus the group's committed offset). A scrape of /metrics reads the gauge and never calls Kafka.
 */
@Injectable()
export class ConsumerLagMonitor implements OnApplicationBootstrap, OnApplicationShutdown {
  private admin?: Admin;

  constructor(
    @Inject(kafkaConfig.KEY) private readonly kafka: KafkaConfig,
    @Inject(consumerConfig.KEY) private readonly consumer: ConsumerConfig,
    private readonly metrics: ConsumerMetrics,
    @InjectPinoLogger(ConsumerLagMonitor.name) private readonly logger: PinoLogger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.admin = new Kafka(kafkaClientOptions(this.kafka, 'order-consumer-lag')).admin();
    await this.admin.connect();
    await this.refresh();
  }

  async onApplicationShutdown(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await admin?.disconnect();
  }

  @Interval(LAG_EVERY_MS)
  async refresh(): Promise<void> {
    if (!this.admin) return;
    const topic = this.kafka.topics.orders;
    try {
      for (const { partition, lag } of await fetchPartitionLag(this.admin, this.consumer.groupId, topic)) {
        this.metrics.lag.set({ topic, partition: String(partition) }, lag);
      }
    } catch (error) {
      // The broker may be down; the gauge keeps its last values until the next refresh succeeds.
      this.logger.debug({ err: String(error) }, 'lag refresh failed');
    }
  }
}
