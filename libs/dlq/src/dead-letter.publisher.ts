import { KafkaConfig, kafkaConfig } from '@app/config';
import { kafkaClientOptions, recordBytes, reliableProducerOptions, sendChunks } from '@app/kafka';
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Admin, Kafka, Message, Producer } from 'kafkajs';

/** A dead-letter write gives up after this long, far inside the consumer's session timeout. */
export const DLQ_SEND_TIMEOUT_MS = 10_000;
/** Most bytes per send: the topic takes record batches of 2.25 MiB at most, headers included. */
export const DLQ_SEND_MAX_BYTES = 1024 * 1024;
const DLQ_SEND_LIMITS = { maxRecords: Number.MAX_SAFE_INTEGER, maxBytes: DLQ_SEND_MAX_BYTES };

export class DeadLetterTimeoutError extends Error {
  readonly name = 'DeadLetterTimeoutError';
}

/** The consumer offset a batch's dead letters are committed with. */
export interface BatchOffset {
  groupId: string;
  topic: string;
  partition: number;
  /** The batch's last offset + 1. */
  offset: string;
}

/**
 * Writes a batch's dead letters and commits the batch's offset in one Kafka transaction: a reader
 * of the DLQ (read_committed, kafkajs's default) sees the dead letters exactly when the group sees
 * the batch committed, once, whatever crashes in between. A transaction that did not finish is
 * aborted, by this publisher or, after a crash, by the partition's next owner.
 *
 * One transactional producer per source partition, its transactional.id named after the group and
 * the partition: whichever consumer owns the partition uses the same id, and its first
 * InitProducerId aborts the open transaction of an earlier owner and fences it (a member that lost
 * the partition cannot commit dead letters for it any more).
 */
@Injectable()
export class DeadLetterPublisher implements OnApplicationShutdown {
  private readonly kafka: Kafka;
  private readonly producers = new Map<string, Promise<Producer>>();
  private admin?: Promise<Admin>;

  constructor(@Inject(kafkaConfig.KEY) private readonly settings: KafkaConfig) {
    this.kafka = new Kafka({
      ...kafkaClientOptions(settings, 'order-consumer-dlq'),
      requestTimeout: 5_000,
    });
  }

  async onApplicationShutdown(): Promise<void> {
    const producers = [...this.producers.values()];
    this.producers.clear();
    const admin = this.admin;
    this.admin = undefined;
    await Promise.all(
      [...producers, ...(admin ? [admin] : [])].map((client) =>
        client.then((c) => c.disconnect()).catch(() => undefined),
      ),
    );
  }

  /**
   * The partitions this member now owns: their producers are started at once, which aborts and
   * fences what an earlier owner left open; producers of partitions it lost are stopped.
   */
  assigned(groupId: string, assignment: Record<string, number[]>): void {
    const owned = new Set(
      Object.entries(assignment).flatMap(([topic, partitions]) =>
        partitions.map((p) => key(groupId, topic, p)),
      ),
    );
    for (const [id, producer] of this.producers) {
      if (owned.has(id)) continue;
      this.producers.delete(id);
      void producer.then((p) => p.disconnect()).catch(() => undefined);
    }
    for (const [topic, partitions] of Object.entries(assignment)) {
      for (const partition of partitions) this.producer({ groupId, topic, partition }).catch(() => undefined);
    }
  }

  /**
   * Resolves once the dead letters are in the DLQ topic and `offset` is committed, both or neither;
   * rejects if that is not known to be so. `between` runs between sends (the group heartbeat).
   */
  async publish(messages: Message[], offset: BatchOffset, between: () => Promise<void>): Promise<void> {
    const producer = await this.producer(offset);
    try {
      await withTimeout(this.transact(producer, messages, offset, between), DLQ_SEND_TIMEOUT_MS);
    } catch (error) {
      // A new producer with the same transactional.id aborts the old one's transaction, unless its
      // commit had already reached the coordinator: then the offset says it is done.
      this.replace(offset, producer);
      if (await this.committed(offset).catch(() => false)) return;
      throw error;
    }
  }

  private async transact(
    producer: Producer,
    messages: Message[],
    { groupId, topic, partition, offset }: BatchOffset,
    between: () => Promise<void>,
  ): Promise<void> {
    const transaction = await producer.transaction();
    try {
      for (const chunk of sendChunks(messages, DLQ_SEND_LIMITS, recordBytes)) {
        await between();
        await transaction.send({
          topic: this.settings.topics.dlq,
          acks: -1,
          timeout: 5_000,
          messages: chunk,
        });
      }
      await transaction.sendOffsets({
        consumerGroupId: groupId,
        topics: [{ topic, partitions: [{ partition, offset }] }],
      });
      await transaction.commit();
    } catch (error) {
      if (transaction.isActive()) await transaction.abort().catch(() => undefined);
      throw error;
    }
  }

  private producer({ groupId, topic, partition }: Omit<BatchOffset, 'offset'>): Promise<Producer> {
    const id = key(groupId, topic, partition);
    let producer = this.producers.get(id);
    if (!producer) {
      producer = (async () => {
        const created = this.kafka.producer(
          reliableProducerOptions({
            transactionalId: id,
            // An open transaction of a crashed owner blocks read_committed readers of the DLQ
            // until it is aborted: by the next owner's first InitProducerId, else by this timeout.
            transactionTimeout: 30_000,
            // Few client retries: the consumer's own backoff, which heartbeats, does the waiting.
            retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 1_000 },
          }),
        );
        await withTimeout(
          (async () => {
            await created.connect();
            // connect() takes a producer id without the transactional.id; the first transaction
            // takes it with the id, which is what aborts and fences an earlier owner's transaction.
            await (await created.transaction()).abort();
          })(),
          DLQ_SEND_TIMEOUT_MS,
        );
        return created;
      })();
      this.producers.set(id, producer);
      producer.catch(() => {
        if (this.producers.get(id) === producer) this.producers.delete(id);
      });
    }
    return producer;
  }

  private replace(offset: BatchOffset, failed: Producer): void {
    const id = key(offset.groupId, offset.topic, offset.partition);
    this.producers.delete(id);
    void failed.disconnect().catch(() => undefined);
  }

  /** Whether the group's committed offset has reached `offset` (a commit whose answer was lost). */
  private async committed({ groupId, topic, partition, offset }: BatchOffset): Promise<boolean> {
    // Starting the replacement producer first settles the old transaction, one way or the other.
    await this.producer({ groupId, topic, partition });
    this.admin ??= (async () => {
      const admin = this.kafka.admin();
      await admin.connect();
      return admin;
    })();
    const admin = await this.admin;
    const [found] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const committed = found?.partitions.find((p) => p.partition === partition)?.offset;
    return committed !== undefined && BigInt(committed) >= BigInt(offset);
  }
}

const key = (groupId: string, topic: string, partition: number) => `${groupId}.dlq.${topic}.${partition}`;

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadLetterTimeoutError(`no acknowledgement within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
