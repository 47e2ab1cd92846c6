import { IHeaders, Kafka, KafkaMessage, Partitioners } from 'kafkajs';
import { withAdmin } from '../../tools/lib/clients';

export { withAdmin };

export interface RawRecord {
  key?: string | null;
  value: string | Buffer | null;
  headers?: IHeaders;
}

export interface ReadRecord {
  partition: number;
  offset: string;
  /** Milliseconds since the epoch: the producer's, or the broker's append time on a LogAppendTime topic. */
  timestamp: number;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/** Sends records as they are, bypassing the app's producer: how bad input reaches the consumer. */
export async function produceRaw(kafka: Kafka, topic: string, records: RawRecord[]): Promise<void> {
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: records });
  } finally {
    await producer.disconnect();
  }
}

/** Log-end offset of every partition of a topic. */
export async function endOffsets(kafka: Kafka, topic: string): Promise<Map<number, bigint>> {
  const offsets = await withAdmin(kafka, (admin) => admin.fetchTopicOffsets(topic));
  return new Map(offsets.map((p) => [p.partition, BigInt(p.high)]));
}

/** True once the group has committed every partition of the topic up to its log end. */
export async function groupCaughtUp(kafka: Kafka, group: string, topic: string): Promise<boolean> {
  const ends = await endOffsets(kafka, topic);
  const [committed] = await withAdmin(kafka, (admin) =>
    admin.fetchOffsets({ groupId: group, topics: [topic] }),
  );
  return committed.partitions.every((p) => {
    const end = ends.get(p.partition) ?? 0n;
    return end === 0n || (p.offset !== '-1' && BigInt(p.offset) === end);
  });
}

/**
 * Every record of a topic, read with a throwaway group from the beginning to the current end, as
 * the project reads: read_committed (kafkajs's default), so records of a transaction that was
 * aborted, or is still open, are not seen. Offsets are not a count of records (transaction markers
 * and aborted records take offsets too), so the read ends when every partition's position has
 * reached the end it had when the read began.
 */
export async function readAll(
  kafka: Kafka,
  topic: string,
  { readUncommitted = false } = {},
): Promise<ReadRecord[]> {
  const ends = await endOffsets(kafka, topic);
  const records: ReadRecord[] = [];
  const position = new Map<number, bigint>();
  const reachedEnd = () => [...ends].every(([partition, end]) => (position.get(partition) ?? 0n) >= end);
  if (reachedEnd()) return records;
  const consumer = kafka.consumer({
    groupId: `reader-${Date.now()}-${Math.random()}`,
    allowAutoTopicCreation: false,
    readUncommitted,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((done, fail) => {
      const timer = setTimeout(
        () => fail(new Error(`read ${records.length} records of ${topic}, not to its end`)),
        60_000,
      );
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        position.set(payload.partition, BigInt(payload.lastOffset) + 1n);
        if (reachedEnd()) {
          clearTimeout(timer);
          done();
        }
      });
      void consumer.run({
        autoCommit: false,
        eachMessage: ({ partition, message }) => {
          records.push(toReadRecord(partition, message));
          return Promise.resolve();
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
}

function toReadRecord(partition: number, message: KafkaMessage): ReadRecord {
  const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
  return {
    partition,
    offset: message.offset,
    timestamp: Number(message.timestamp),
    key: message.key?.toString() ?? null,
    value: message.value,
    headers,
  };
}

/** Rewinds a (stopped) group to the start of the topic: the next consumer re-reads everything. */
export async function rewindGroup(kafka: Kafka, group: string, topic: string): Promise<void> {
  await withAdmin(kafka, (admin) => admin.resetOffsets({ groupId: group, topic, earliest: true }));
}

/** The partitions of `topic` each member of the group owns, one list per member, in the broker's order. */
export async function groupAssignment(kafka: Kafka, group: string, topic: string): Promise<number[][]> {
  const { groups } = await withAdmin(kafka, (admin) => admin.describeGroups([group]));
  const { AssignerProtocol } = await import('kafkajs');
  return groups[0].members.map((member) => {
    const assignment = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
    return assignment?.assignment[topic] ?? [];
  });
}

/** The group's committed offset of every partition of a topic (-1n where it has committed none). */
export async function committedOffsets(
  kafka: Kafka,
  group: string,
  topic: string,
): Promise<Map<number, bigint>> {
  const [committed] = await withAdmin(kafka, (admin) =>
    admin.fetchOffsets({ groupId: group, topics: [topic] }),
  );
  return new Map(committed.partitions.map((p) => [p.partition, BigInt(p.offset)]));
}

/** True once the group has a settled assignment (Stable) with `members` members, each owning a partition. */
export async function groupStable(
  kafka: Kafka,
  group: string,
  topic: string,
  members: number,
): Promise<boolean> {
  const { groups } = await withAdmin(kafka, (admin) => admin.describeGroups([group]));
  if (groups[0].state !== 'Stable') return false;
  const owned = await groupAssignment(kafka, group, topic);
  return owned.length === members && owned.every((partitions) => partitions.length > 0);
}

/** Sends many records in sends of `chunk`, keeping each send under the topic's size limit. */
export async function produceMany(
  kafka: Kafka,
  topic: string,
  records: RawRecord[],
  chunk = 2_000,
): Promise<void> {
  for (let i = 0; i < records.length; i += chunk) await produceRaw(kafka, topic, records.slice(i, i + chunk));
}
