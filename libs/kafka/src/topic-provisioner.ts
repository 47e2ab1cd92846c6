import { KafkaConfig, kafkaConfig, StartupConfig, startupConfig } from '@app/config';
import { connectAtStartup } from '@app/platform';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { Admin, ConfigResourceTypes, Kafka } from 'kafkajs';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { kafkaClientOptions } from './kafka-client.options';
import { FoundTopic, topicSettingProblems, topicSpecs } from './topic-specs';

/**
 * Creates the product's topics at start-up. The broker runs with auto.create.topics.enable=false,
 * so a typo in a topic name fails loudly instead of silently creating a 1-partition topic.
 * Idempotent: existing topics are left as they are, and what differs from the configuration is
 * reported. A cluster still forming (fewer brokers than the replication factor), and topics
 * another app has just created that not every broker knows yet, are waited for like a broker that
 * does not answer yet: several apps starting at once on an empty cluster all come up.
 */
@Injectable()
export class TopicProvisioner implements OnModuleInit {
  private readonly messageLimits = new Map<string, number>();

  constructor(
    @Inject(kafkaConfig.KEY) private readonly kafka: KafkaConfig,
    @Inject(startupConfig.KEY) private readonly startup: StartupConfig,
    @InjectPinoLogger(TopicProvisioner.name) private readonly logger: PinoLogger,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.waitForBroker();
    const admin = new Kafka(kafkaClientOptions(this.kafka, 'food-orders-admin')).admin();
    await admin.connect();
    const { replicationFactor } = this.kafka;
    try {
      await connectAtStartup(() => this.provision(admin), {
        logger: this.logger,
        dependency: 'Kafka cluster',
        where: this.kafka.brokers.join(','),
        waitMs: this.startup.waitSeconds * 1000,
        fix: `start at least ${replicationFactor} brokers, or set KAFKA_REPLICATION_FACTOR to the brokers there are (STARTUP_WAIT_S sets the wait)`,
      });
    } finally {
      await admin.disconnect();
    }
  }

  private async provision(admin: Admin): Promise<void> {
    const { brokers } = await admin.describeCluster();
    const { replicationFactor } = this.kafka;
    if (brokers.length < replicationFactor) {
      throw new Error(
        `the cluster has ${brokers.length} broker(s), fewer than KAFKA_REPLICATION_FACTOR=${replicationFactor}`,
      );
    }
    await this.ensureTopics(admin);
    await this.checkTopics(admin);
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
      logger: this.logger,
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
      this.logger.info({ topics: missing.map((t) => `${t.topic}(${t.numPartitions})`) }, 'created topics');
    }
  }

  /** Reads what the existing topics are, and says in one line where they differ from the configuration. */
  private async checkTopics(admin: Admin): Promise<void> {
    const specs = topicSpecs(this.kafka);
    const metadata = await admin.fetchTopicMetadata({ topics: specs.map((s) => s.topic) });
    for (const topic of metadata.topics) {
      const leaderless = topic.partitions.filter((p) => p.leader < 0).map((p) => p.partitionId);
      // Thrown to be waited for: a topic just created elects its leaders in a moment.
      if (leaderless.length > 0)
        throw new Error(`topic ${topic.name} has no leader yet for partitions ${leaderless.join(',')}`);
    }
    const configs = await this.readTopicConfigs(admin);
    for (const [topic, { maxMessageBytes }] of configs) {
      if (maxMessageBytes !== undefined) this.messageLimits.set(topic, maxMessageBytes);
    }
    const found = new Map<string, FoundTopic>(
      metadata.topics.map((topic) => [
        topic.name,
        {
          partitions: topic.partitions.length,
          replicationFactor: Math.min(...topic.partitions.map((p) => p.replicas.length)),
          ...configs.get(topic.name),
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

  /** max.message.bytes and min.insync.replicas of each topic, its own or the broker's default. */
  private async readTopicConfigs(
    admin: Admin,
  ): Promise<Map<string, Pick<FoundTopic, 'maxMessageBytes' | 'minInsyncReplicas'>>> {
    const { resources } = await admin.describeConfigs({
      resources: topicSpecs(this.kafka).map((spec) => ({
        type: ConfigResourceTypes.TOPIC,
        name: spec.topic,
        configNames: ['max.message.bytes', 'min.insync.replicas'],
      })),
      includeSynonyms: false,
    });
    const positive = (value: string | undefined) => {
      const n = Number(value);
      return Number.isSafeInteger(n) && n > 0 ? n : undefined;
    };
    return new Map(
      resources.map((resource) => {
        const value = (name: string) =>
          positive(resource.configEntries.find((e) => e.configName === name)?.configValue);
        const configs = {
          maxMessageBytes: value('max.message.bytes'),
          minInsyncReplicas: value('min.insync.replicas'),
        };
        return [resource.resourceName, configs];
      }),
    );
  }
}
