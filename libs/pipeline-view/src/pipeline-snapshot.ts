/** What the live view's page receives about once a second (server-sent events, one JSON object each). */
import { PartitionPosition } from '@app/kafka';

export interface PartitionLane extends PartitionPosition {
  /** Records written to the partition per second, and committed by the group per second. */
  inPerS: number;
  outPerS: number;
  /** The name of the group member that owns the partition, or null while none does. */
  owner: string | null;
  /** The broker (node id) that leads the partition, -1 while none does. */
  leader: number;
}

export interface GroupMember {
  /** The demo's name for the process (consumer-1), else its Kafka client id. */
  name: string;
  clientId: string;
  host: string;
  partitions: number[];
}

export interface DeadLetterEntry {
  dlqPartition: number;
  dlqOffset: string;
  reason: string;
  errorClass: string;
  error: string;
  original: { topic: string; partition: string; offset: string };
  orderId: string | null;
  /** When the consumer gave up on the record (x-dlq-failed-at), epoch ms. */
  failedAt: number;
}

export interface AppStatus {
  name: string;
  url: string;
  /** /health/ready: true (200), false (503, with what is down), null (no answer). */
  ready: boolean | null;
  detail: string;
  /** A producer's counters from its /metrics. */
  producer?: { sent: number; errors: number; perS: number };
}

export interface TimelineEntry {
  at: number;
  kind: 'group' | 'action' | 'fault' | 'dlq';
  text: string;
}

export interface PipelineSnapshot {
  at: number;
  /** What the view cannot reach right now, one line each ("Kafka: …", "PostgreSQL: …"). */
  missing: string[];
  topic: { name: string; lanes: PartitionLane[] } | null;
  group: { id: string; state: string; members: GroupMember[] } | null;
  database: {
    rows: number;
    storedPerS: number;
    /** created_at → row of the latest orders created in the last minute (up to 2,000), in ms (null: none). */
    p50Ms: number | null;
    p99Ms: number | null;
    /** The latest orders and the partition their key picks (murmur2(key) mod partitions). */
    recent: Array<{ orderId: string; customerId: string; partition: number }>;
  } | null;
  /** The latest dead letters, newest first. */
  deadLetters: DeadLetterEntry[];
  apps: AppStatus[];
  /** Per-second history for the small charts, oldest first (at most a minute). */
  history: Array<{ at: number; storedPerS: number; p99Ms: number | null; lag: number }>;
  timeline: TimelineEntry[];
  controls: {
    consumers: Array<{ name: string; running: boolean }>;
    brokers: Array<{ node: number; running: boolean }>;
  };
}
