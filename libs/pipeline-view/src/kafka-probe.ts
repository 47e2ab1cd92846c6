import { ConsumerConfig, consumerConfig, KafkaConfig, kafkaConfig } from '@app/config';
import { fetchPartitionLag, kafkaClientOptions, PartitionPosition } from '@app/kafka';
import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { Admin, AssignerProtocol, Kafka, logLevel, Partitioners } from 'kafkajs';

export interface KafkaReading {
  positions: PartitionPosition[];
  leaders: Map<number, number>;
  group: { state: string; members: Array<{ clientId: string; host: string; partitions: number[] }> };
}

/**
 * The broker's side of the view, through one long-lived admin client (never a connection per page
 * or per second): offsets of the orders topic, the group's commits and members, partition leaders.
 */
@Injectable()
export class KafkaProbe implements OnModuleDestroy {
  private admin?: Admin;
  private closed = false;
  private reading?: Promise<unknown>;
  private readonly partitioner = Partitioners.DefaultPartitioner();

  constructor(
    @Inject(kafkaConfig.KEY) private readonly kafka: KafkaConfig,
    @Inject(consumerConfig.KEY) private readonly consumer: ConsumerConfig,
  ) {}

  get topic(): string {
    return this.kafka.topics.orders;
  }

  get groupId(): string {
    return this.consumer.groupId;
  }

  read(): Promise<KafkaReading> {
    const reading = this.readOnce();
    this.reading = reading.catch(() => undefined);
    return reading;
  }

  private async readOnce(): Promise<KafkaReading> {
    const admin = await this.connected();
    try {
      const topic = this.topic;
      const [positions, metadata, { groups }] = await Promise.all([
        fetchPartitionLag(admin, this.groupId, topic),
        admin.fetchTopicMetadata({ topics: [topic] }),
        admin.describeGroups([this.groupId]),
      ]);
      const leaders = new Map(metadata.topics[0].partitions.map((p) => [p.partitionId, p.leader]));
      const described = groups[0];
      const members = (described?.members ?? []).map((member) => ({
        clientId: member.clientId,
        host: member.clientHost.replace(/^\//, ''),
        partitions: assignedPartitions(member.memberAssignment, topic),
      }));
      return { positions, leaders, group: { state: described?.state ?? 'Unknown', members } };
    } catch (error) {
      if (kafkaErrorType(error) === 'UNKNOWN_TOPIC_OR_PARTITION') {
        throw new Error(`topic ${this.topic} does not exist yet (the apps create it when they start)`);
      }
      // A client that failed may hold a connection to a broker that is gone: the next read starts afresh.
      await this.reset();
      throw error;
    }
  }

  /** The partition a record keyed `key` goes to: what the producer's partitioner (murmur2) picks. */
  partitionOf(key: string, partitions: number): number {
    const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
      partitionId,
      leader: 0,
      replicas: [],
      isr: [],
      partitionErrorCode: 0,
    }));
    return this.partitioner({ topic: this.topic, partitionMetadata, message: { key, value: null } });
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    // kafkajs connects to brokers for a request in flight even after disconnect(): let it end first.
    await this.reading;
    await this.reset();
  }

  private async connected(): Promise<Admin> {
    if (this.admin) return this.admin;
    // A sample still running when the view closes must not open a client nobody will close.
    if (this.closed) throw new Error('the view is closing');
    const admin = new Kafka({
      ...kafkaClientOptions(this.kafka, 'pipeline-view'),
      logLevel: logLevel.NOTHING,
      // An answer within the view's one-second rhythm, or the page says Kafka is missing.
      requestTimeout: 3_000,
      retry: { retries: 1, initialRetryTime: 200, maxRetryTime: 500 },
    }).admin();
    await admin.connect();
    if (this.closed) {
      await admin.disconnect();
      throw new Error('the view is closing');
    }
    this.admin = admin;
    return admin;
  }

  private async reset(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await admin?.disconnect().catch(() => undefined);
  }
}

/** The partitions of `topic` a member was assigned; none while the group is rebalancing (empty assignment). */
function assignedPartitions(assignment: Buffer, topic: string): number[] {
  if (assignment.length === 0) return [];
  const decoded = AssignerProtocol.MemberAssignment.decode(assignment);
  return [...(decoded?.assignment[topic] ?? [])].sort((a, b) => a - b);
}

/** A broker error's type, also when kafkajs gave up retrying it (KafkaJSNumberOfRetriesExceeded). */
function kafkaErrorType(error: unknown): string | undefined {
  const { type, originalError } = error as { type?: string; originalError?: { type?: string } };
  return type ?? originalError?.type;
}
