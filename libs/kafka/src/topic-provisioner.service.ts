import { KafkaConfig, kafkaConfig, StartupConfig, startupConfig } from '@app/config';
import { APP_NAME, connectAtStartup } from '@app/platform';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Admin, ConfigResourceTypes, Kafka } from 'kafkajs';
import { kafkaClientOptions } from './kafka-client.options';
import { FoundTopic, topicSettingProblems, topicSpecs } from './topic-specs';

/**
 * Creates the product's topics at start-up. The broker runs with auto.create.topics.enable=false,
 * so a typo in a topic name fails loudly instead of silently creating a 1-partition topic.
 * Idempotent: existing topics are left as they are.
 */
@Injectable()
export class TopicProvisioner implements OnModuleInit {
  private readonly logger = new Logger(TopicProvisioner.name);
  private readonly messageLimits = new Map<string, number>();

  constructor(
    @Inject(kafkaConfig.KEY) private readonly kafka: KafkaConfig,
    @Inject(startupConfig.KEY) private readonly startup: StartupConfig,
    @Inject(APP_NAME) private readonly app: string,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.waitForBroker();
    const admin = new Kafka(kafkaClientOptions(this.kafka, 'food-orders-admin')).admin();
    await admin.connect();
    try {
      await this.ensureTopics(admin);
      await this.checkTopics(admin);
    } finally {
      await admin.disconnect();
    }
  }

  /** The topic's max.message.bytes as the broker reported it at start-up (its own or the broker's default). */
  maxMessageBytes(topic: string): number | undefined {
    return this.messageLimits.get(topic);
  }

  /**
   * The first contact with the broker, with no client retries of its own (they would be ~40 s of
   * silence) but a bounded wait that says every few seconds what the app is waiting for. The work
   * after it keeps the client's retries: a broker that just answered may still be electing leaders.
   */
  private async waitForBroker(): Promise<void> {
    const options = { ...kafkaClientOptions(this.kafka, 'food-orders-probe'), retry: { retries: 0 } };
    const probe = new Kafka(options).admin();
    await connectAtStartup(() => probe.connect(), {
      app: this.app,
      dependency: 'Kafka broker',
      where: this.kafka.brokers.join(','),
      waitMs: this.startup.waitSeconds * 1000,
      fix: 'start the broker (npm run kafka:start, or docker compose up -d kafka), or set KAFKA_BROKERS (STARTUP_WAIT_S sets the wait)',
    });
    await probe.disconnect();
  }

  private async ensureTopics(admin: Admin): Promise<void> {
    const specs = topicSpecs(this.kafka);
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((spec) => !existing.has(spec.topic));
    if (missing.length > 0) {
      // Several instances may race here; kafkajs reports "already exists" as a no-op (false).
      await admin.createTopics({ topics: missing, waitForLeaders: true });
      this.logger.log(`created topics ${missing.map((t) => `${t.topic}(${t.numPartitions})`).join(', ')}`);
    }
  }

  /** Reads what the existing topics are, and says in one line where they differ from the configuration. */
  private async checkTopics(admin: Admin): Promise<void> {
    const specs = topicSpecs(this.kafka);
    const metadata = await admin.fetchTopicMetadata({ topics: specs.map((s) => s.topic) });
    await this.readMessageLimits(admin);
    const found = new Map<string, FoundTopic>(
      metadata.topics.map((topic) => [
        topic.name,
        {
          partitions: topic.partitions.length,
          replicationFactor: Math.min(...topic.partitions.map((p) => p.replicas.length)),
          maxMessageBytes: this.messageLimits.get(topic.name),
        },
      ]),
    );
    const problems = topicSettingProblems(this.kafka, found);
    if (problems.length > 0) {
      this.logger.warn(
        `existing topics differ from the configuration (left as they are): ${problems.join('; ')}`,
      );
    }
  }

  private async readMessageLimits(admin: Admin): Promise<void> {
    const { resources } = await admin.describeConfigs({
      resources: topicSpecs(this.kafka).map((spec) => ({
        type: ConfigResourceTypes.TOPIC,
        name: spec.topic,
        configNames: ['max.message.bytes'],
      })),
      includeSynonyms: false,
    });
    for (const resource of resources) {
      const value = Number(
        resource.configEntries.find((e) => e.configName === 'max.message.bytes')?.configValue,
      );
      if (Number.isSafeInteger(value) && value > 0) this.messageLimits.set(resource.resourceName, value);
    }
  }
}
