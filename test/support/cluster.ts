import { Kafka, logLevel } from 'kafkajs';
import { setTimeout } from 'node:timers/promises';
import { LocalKafkaCluster } from '../../tools/kafka/local-cluster';
import { startContainerCluster, TestCluster } from './container-cluster';
import { E2eContext, setUpE2e } from './e2e-context';
import { readAll, ReadRecord, withAdmin } from './kafka-helpers';
import { containerRuntimeAvailable } from './services';

/** An e2e context on a three-node KRaft cluster of its own (replication factor 3, min ISR 2). */
export interface ClusterContext extends E2eContext {
  cluster: TestCluster;
}

/**
 * The file's database on the shared PostgreSQL, and a cluster of its own whose nodes it may kill:
 * three containers where a container runtime answers, else three local nodes from the broker's jars.
 */
export async function setUpClusterE2e(label: string): Promise<ClusterContext> {
  const ctx = await setUpE2e(label);
  const log = (line: string) => process.stdout.write(`[${label}] ${line}\n`);
  const cluster = (await containerRuntimeAvailable())
    ? await startContainerCluster(3)
    : await LocalKafkaCluster.start({ nodes: 3, log });
  log(`three-node cluster at ${cluster.brokers}`);
  const brokers = cluster.brokers;
  const env = {
    ...ctx.env,
    KAFKA_BROKERS: brokers,
    KAFKA_REPLICATION_FACTOR: '3',
    KAFKA_MIN_INSYNC_REPLICAS: '2',
  };
  Object.assign(process.env, env);
  const kafka = new Kafka({
    clientId: `e2e-${label}`,
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
  });
  return {
    ...ctx,
    brokers,
    env,
    kafka,
    cluster,
    close: async () => {
      await cluster.destroy();
      await ctx.close();
    },
  };
}

/** The node.id of the leader of a topic's partition, as the cluster's metadata says now. */
export async function leaderOf(kafka: Kafka, topic: string, partition: number): Promise<number> {
  const { topics } = await withAdmin(kafka, (admin) => admin.fetchTopicMetadata({ topics: [topic] }));
  return topics[0].partitions.find((p) => p.partitionId === partition)!.leader;
}

/**
 * The node.id of a group's coordinator: the leader of the __consumer_offsets partition the group
 * id hashes to (Java's String.hashCode, as the broker computes it).
 */
export async function coordinatorOf(kafka: Kafka, group: string): Promise<number> {
  const { topics } = await withAdmin(kafka, (admin) =>
    admin.fetchTopicMetadata({ topics: ['__consumer_offsets'] }),
  );
  const partitions = topics[0].partitions.length;
  let hash = 0;
  for (let i = 0; i < group.length; i += 1) hash = (Math.imul(31, hash) + group.charCodeAt(i)) | 0;
  // Kafka's Utils.abs: the absolute value, and 0 for the one int that has none.
  const partition = hash === -0x80000000 ? 0 : Math.abs(hash) % partitions;
  return leaderOf(kafka, '__consumer_offsets', partition);
}

/** What the orders topic's records hold: records, distinct order ids, and records whose order id came before. */
export function ordersInTopic(records: ReadRecord[]): {
  inTopic: number;
  distinct: number;
  writtenTwice: number;
} {
  const ids = records.map((r) => r.headers['x-correlation-id']);
  const distinct = new Set(ids).size;
  return { inTopic: records.length, distinct, writtenTwice: records.length - distinct };
}

export interface NumberedRun {
  /** Numbers kafkajs reported written: a send that resolved, or the written part of one that failed. */
  acknowledged: number[];
  failedSends: number;
}

/**
 * A plain kafkajs producer, no project code in its path (idempotent, acks=all, one request in
 * flight): numbered records, ten per send, about 500 a second, until `stop` is called. What kafkajs
 * alone promises across a failover: every number it reports written must be in the topic, once.
 */
export function produceNumbered(kafka: Kafka, topic: string): { stop: () => Promise<NumberedRun> } {
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  const run: NumberedRun = { acknowledged: [], failedSends: 0 };
  let running = true;
  const numbersOf = (messages: Array<{ value: unknown }>) => messages.map((m) => Number(String(m.value)));
  const done = (async () => {
    await producer.connect();
    for (let next = 0; running; next += 10) {
      const messages = Array.from({ length: 10 }, (_, i) => ({
        key: `key-${(next + i) % 30}`,
        value: String(next + i),
      }));
      try {
        await producer.send({ topic, acks: -1, messages });
        run.acknowledged.push(...numbersOf(messages));
      } catch (error) {
        // patches/kafkajs: a send that gives up says which of its records were written anyway.
        const written = (error as { acknowledgedMessages?: Array<{ value: unknown }> }).acknowledgedMessages;
        run.acknowledged.push(...numbersOf(written ?? []));
        run.failedSends += 1;
      }
      await setTimeout(20); // pacing, not synchronisation
    }
    await producer.disconnect();
  })();
  return {
    stop: async () => {
      running = false;
      await done;
      return run;
    },
  };
}

/** What a topic of numbered records holds: each number's count. */
export async function numbersInTopic(kafka: Kafka, topic: string): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  for (const record of await readAll(kafka, topic)) {
    const n = Number(record.value?.toString());
    counts.set(n, (counts.get(n) ?? 0) + 1);
  }
  return counts;
}
