/** What the demo reads back from the broker and the database while it runs: its live line and summary. */
import { AssignerProtocol, Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { fetchPartitionLag } from '@app/kafka';

type Admin = ReturnType<Kafka['admin']>;

/** The demo's admin client: a broker that is not there is said in seconds, before any app starts. */
export function demoAdmin(brokers: string): Admin {
  const kafka = new Kafka({
    clientId: 'demo',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    retry: { retries: 2 },
  });
  return kafka.admin();
}

/**
 * The group's current assignment as the broker knows it, by consumer pid (each consumer's client id
 * ends with its pid). Log lines would only tell each consumer's last join, which may be stale.
 */
export async function ownedPartitions(
  admin: Admin,
  groupId: string,
  topic: string,
): Promise<Map<number, number[]>> {
  const { groups } = await admin.describeGroups([groupId]);
  const owned = new Map<number, number[]>();
  for (const member of groups[0]?.members ?? []) {
    const assignment = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
    owned.set(Number(member.clientId.split('-').pop()), assignment?.assignment[topic] ?? []);
  }
  return owned;
}

/** Kafka's lag, per partition, as the consumer's gauge computes it. */
export async function lagByPartition(admin: Admin, groupId: string, topic: string): Promise<number[]> {
  return (await fetchPartitionLag(admin, groupId, topic)).map(({ lag }) => lag);
}

export async function totalOffsets(admin: Admin, topic: string): Promise<number> {
  const topics = await admin.listTopics();
  if (!topics.includes(topic)) return 0;
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, p) => sum + Number(p.high), 0);
}

export async function storedSince(db: Client, since: Date): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    'SELECT count(*) AS n FROM orders WHERE processed_at >= $1',
    [since],
  );
  return Number(rows[0].n);
}

export async function latencyOf(db: Client, since: Date): Promise<{ p50: number; p95: number; max: number }> {
  const { rows } = await db.query<{ p50: number; p95: number; max: number }>(
    `SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)) AS p50,
            round(percentile_cont(0.95) WITHIN GROUP (ORDER BY ms)) AS p95,
            round(max(ms)) AS max
       FROM (SELECT extract(epoch FROM processed_at - created_at) * 1000 AS ms FROM orders WHERE processed_at >= $1) t`,
    [since],
  );
  return rows[0];
}
