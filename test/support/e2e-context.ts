import { topicSpecs } from '@app/kafka';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'pg';
import { ITopicConfig, Kafka, logLevel } from 'kafkajs';
import { eventually } from './eventually';
import { groupCaughtUp } from './kafka-helpers';
import { createTestDatabase, dropTestDatabase } from './test-database';
import { cacheDir } from '../../tools/lib/paths';

/** What one e2e test file runs against: its own database, topics and consumer group on the shared services. */
export interface E2eContext {
  brokers: string;
  databaseUrl: string;
  topics: { orders: string; dlq: string };
  group: string;
  kafka: Kafka;
  db: Pool;
  /** The environment an app of this file runs with (also applied to process.env for in-process apps). */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** Where the apps a test file runs in-process write their logs (one file per test file, kept after the run). */
export const TEST_LOGS = cacheDir('test-logs');

export async function setUpE2e(label: string): Promise<E2eContext> {
  const runId = required('TEST_RUN_ID');
  const brokers = required('TEST_KAFKA_BROKERS');
  const postgresUrl = required('TEST_POSTGRES_URL');
  const databaseUrl = await createTestDatabase(postgresUrl, runId, label);
  const topics = { orders: `e2e-${runId}-${label}.orders`, dlq: `e2e-${runId}-${label}.dlq` };
  const group = `order-processors-${runId}-${label}`;
  const env = {
    KAFKA_BROKERS: brokers,
    DATABASE_URL: databaseUrl,
    KAFKA_TOPIC_ORDERS: topics.orders,
    KAFKA_TOPIC_DLQ: topics.dlq,
    KAFKA_CONSUMER_GROUP: group,
    HTTP_PORT: '0',
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
  };
  // Jest gives each test file its own copy of process.env, so this stays within the file. The apps
  // this file runs in-process log to a file, so the suite's output shows tests; spawned apps log to
  // stdout, where their tests read them.
  const logFile = join(TEST_LOGS, `${label}.log`);
  rmSync(logFile, { force: true });
  Object.assign(process.env, env, { LOG_FILE: logFile });
  const kafka = new Kafka({ clientId: `e2e-${label}`, brokers: [brokers], logLevel: logLevel.NOTHING });
  const db = new Pool({ connectionString: databaseUrl, max: 2 });
  // pool.end() resolves before the server has seen every connection close; the DROP … WITH (FORCE)
  // that follows then terminates them, which the pool reports as an error. Expected at teardown.
  db.on('error', () => undefined);
  return {
    brokers,
    databaseUrl,
    topics,
    group,
    kafka,
    db,
    env,
    close: async () => {
      await db.end();
      await dropTestDatabase(postgresUrl, databaseUrl);
    },
  };
}

function required(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(
      `${name} is not set: run e2e tests through jest (npm test), whose global setup starts the services`,
    );
  return value;
}

/** Waits until the file's consumer group has committed every record of its orders topic. */
export function caughtUp(ctx: E2eContext, timeoutMs = 120_000): Promise<boolean> {
  return eventually(
    'the consumer group to commit every record',
    () => groupCaughtUp(ctx.kafka, ctx.group, ctx.topics.orders),
    { timeoutMs },
  );
}

/**
 * Creates the file's topics as the apps would (before any app runs, e.g. to build a backlog);
 * `adjust` changes a topic as an operator might have left it.
 */
export async function createTopics(
  ctx: E2eContext,
  adjust: (spec: ITopicConfig) => ITopicConfig = (spec) => spec,
): Promise<void> {
  const specs = topicSpecs({
    brokers: [ctx.brokers],
    topics: ctx.topics,
    ordersPartitions: 3,
    dlqPartitions: 1,
    replicationFactor: 1,
    minInsyncReplicas: 1,
  });
  const admin = ctx.kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: specs.map(adjust), waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}
