import { Kafka, logLevel } from 'kafkajs';
import { LocalKafkaCluster } from '../../tools/kafka/local-cluster';
import { E2eContext, setUpE2e } from './e2e-context';
import { readAll, withAdmin } from './kafka-helpers';

/** An e2e context on a three-node KRaft cluster of its own (replication factor 3, min ISR 2). */
export interface ClusterContext extends E2eContext {
  cluster: LocalKafkaCluster;
}

export async function setUpClusterE2e(label: string): Promise<ClusterContext> {
  const ctx = await setUpE2e(label);
  const cluster = await LocalKafkaCluster.start({
    nodes: 3,
    log: (line) => process.stdout.write(`[${label}] ${line}\n`),
  });
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
  const partition = (hash & 0x7fffffff) % partitions;
  return leaderOf(kafka, '__consumer_offsets', partition);
}

/** What the orders topic holds: records, distinct order ids, and records whose order id came before. */
export async function ordersInTopic(
  ctx: E2eContext,
): Promise<{ inTopic: number; distinct: number; writtenTwice: number }> {
  const records = await readAll(ctx.kafka, ctx.topics.orders);
  const ids = records.map((r) => r.headers['x-correlation-id']);
  const distinct = new Set(ids).size;
  return { inTopic: records.length, distinct, writtenTwice: records.length - distinct };
}
