import { OrderHeader } from '@app/contracts';
import { nextOffset, reliableProducerOptions } from '@app/kafka';
import { Kafka, KafkaMessage } from 'kafkajs';
import { stripDlqHeaders } from './dead-letter-record';
import { DlqHeader } from './dead-letter.headers';

export interface ReplayOptions {
  dlqTopic: string;
  /** Where replayed records go: the orders topic. */
  targetTopic: string;
  /** Consumer group that keeps the replay's progress in the DLQ. */
  group: string;
  /** Only records with one of these x-dlq-reason values; all when empty. */
  reasons?: string[];
  partition?: number;
  /** Inclusive DLQ offset range; without fromOffset the replay continues from its committed progress. */
  fromOffset?: bigint;
  toOffset?: bigint;
  /** List what would happen; publish and commit nothing. */
  dryRun?: boolean;
  /** Loop guard: a record already replayed this many times is parked instead of replayed again. */
  maxReplays: number;
}

export type ReplayAction = 'replayed' | 'would-replay' | 'parked' | 'filtered';

export interface ReplayedRecord {
  partition: number;
  offset: string;
  reason: string;
  orderId?: string;
  replays: number;
  action: ReplayAction;
}

/**
 * Re-publishes dead letters to the orders topic after a fix, from the replay group's committed
 * position (or --from-offset) up to the DLQ's end when the replay started. Each replayed record keeps
 * its key, value and original headers, and carries x-dlq-replays = previous + 1. Progress is
 * committed only after the broker acknowledged the re-publish, so an interrupted replay resumes
 * without losing a record (at worst one is replayed twice, which the orders table absorbs).
 */
export async function replayDeadLetters(
  kafka: Kafka,
  options: ReplayOptions,
  onRecord: (record: ReplayedRecord) => void = () => undefined,
): Promise<ReplayedRecord[]> {
  // A dry run reads through a throwaway group, so the real replay's progress is not touched.
  const group = options.dryRun ? `${options.group}.dry-run-${Date.now()}` : options.group;
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<number, bigint>();
  const starts = new Map<number, bigint>();
  try {
    const offsets = await admin.fetchTopicOffsets(options.dlqTopic);
    const [committed] = await admin.fetchOffsets({ groupId: options.group, topics: [options.dlqTopic] });
    for (const { partition, low, high } of offsets) {
      if (options.partition !== undefined && partition !== options.partition) continue;
      const progress = committed.partitions.find((p) => p.partition === partition)?.offset ?? '-1';
      const start = options.fromOffset ?? (progress === '-1' ? BigInt(low) : BigInt(progress));
      const end = options.toOffset === undefined ? BigInt(high) : min(BigInt(high), options.toOffset + 1n);
      if (start < end) {
        starts.set(partition, start);
        ends.set(partition, end);
      }
    }
    if (ends.size > 0 && (options.fromOffset !== undefined || options.dryRun)) {
      // Position the (inactive) group before it joins: no seek racing the first fetch.
      const partitions = [...starts].map(([partition, start]) => ({ partition, offset: start.toString() }));
      await admin.setOffsets({ groupId: group, topic: options.dlqTopic, partitions });
    }
  } finally {
    await admin.disconnect();
  }
  const results: ReplayedRecord[] = [];
  if (ends.size === 0) return results;

  const producer = kafka.producer(reliableProducerOptions());
  const consumer = kafka.consumer({
    groupId: group,
    allowAutoTopicCreation: false,
    // A one-shot command: a crash ends it with the error, where a service would restart its consumer.
    retry: { restartOnFailure: () => Promise.resolve(false) },
  });
  await Promise.all([producer.connect(), consumer.connect()]);
  try {
    await consumer.subscribe({ topic: options.dlqTopic, fromBeginning: true });
    await new Promise<void>((done, fail) => {
      const remaining = new Set(ends.keys());
      // run() resolves once the consumer has started; a crash after that is an event.
      consumer.on(consumer.events.CRASH, ({ payload }) => fail(payload.error));
      const finish = (partition: number) => {
        remaining.delete(partition);
        if (remaining.size === 0) done();
      };
      // Dead letters are written in transactions: offsets past the last record (a commit marker)
      // never reach eachMessage, so a partition is done once the batches read cover its end.
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        const end = ends.get(payload.partition);
        if (end !== undefined && BigInt(payload.lastOffset) + 1n >= end) finish(payload.partition);
      });
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            const end = ends.get(partition);
            if (end === undefined || !remaining.has(partition)) return;
            const offset = BigInt(message.offset);
            if (offset < (starts.get(partition) ?? 0n)) return;
            if (offset >= end) return finish(partition);
            const record = await replayOne(partition, message);
            results.push(record);
            onRecord(record);
            // Progress moves only after the re-publish was acknowledged (a dry run's group is thrown away).
            await consumer.commitOffsets([
              { topic: options.dlqTopic, partition, offset: nextOffset(offset.toString()) },
            ]);
          },
        })
        .catch(fail);
    });
  } finally {
    await Promise.all([consumer.disconnect(), producer.disconnect()]);
    // A dry run's group only ever held a position: left behind, every dry run would add one.
    if (options.dryRun) await deleteGroup(kafka, group);
  }
  return results;

  async function replayOne(partition: number, message: KafkaMessage): Promise<ReplayedRecord> {
    const headers = message.headers ?? {};
    const reason = headers[DlqHeader.Reason]?.toString() ?? 'unknown';
    const replays = Number(headers[DlqHeader.Replays]?.toString() ?? '0');
    const orderId = headers[OrderHeader.CorrelationId]?.toString();
    const base = { partition, offset: message.offset, reason, orderId, replays };
    if (options.reasons?.length && !options.reasons.includes(reason)) return { ...base, action: 'filtered' };
    if (replays >= options.maxReplays) return { ...base, action: 'parked' };
    if (options.dryRun) return { ...base, action: 'would-replay' };
    await producer.send({
      topic: options.targetTopic,
      acks: -1,
      messages: [
        {
          key: message.key,
          value: message.value,
          headers: {
            ...stripDlqHeaders(headers, []),
            [DlqHeader.Replays]: String(replays + 1),
            [DlqHeader.ReplayedFrom]: `${options.dlqTopic}/${partition}/${message.offset}`,
          },
        },
      ],
    });
    return { ...base, action: 'replayed' };
  }
}

async function deleteGroup(kafka: Kafka, group: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteGroups([group]);
  } finally {
    await admin.disconnect();
  }
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
