/** The services, databases, topics and processes the bench's contenders run on. */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { Admin, Kafka, Partitioners } from 'kafkajs';
import { Client } from 'pg';
import { orderRecord } from '@app/contracts';
import { OrderGenerator } from '@app/order-generator';
import { TRACE_GC } from './gc-meter';
import { say } from '../lib/say';
import { withClient } from '../lib/clients';
import { createDatabase, databaseOf, dropDatabase, withDatabase } from '../lib/databases';
import { stopChild } from '../lib/processes';
import { cacheDir, ROOT } from '../lib/paths';

export const PROFILE_DIR = cacheDir('bench-profile');
// The image's memory settings, unless BENCH_NODE_OPTIONS tries others (e.g. a larger young generation).
export const APP_NODE_OPTIONS = process.env.BENCH_NODE_OPTIONS ?? dockerfileNodeOptions();
const CONSUMER_MAIN = join('dist', 'apps', 'order-consumer', 'main.js');
const children = new Set<ChildProcess>();

/** Every app the bench starts, stopped with it: Ctrl-C must not leave consumers running. */
export function started(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const child of children) child.kill('SIGKILL');
    process.exit(130);
  });
}

export interface Services {
  brokers: string;
  adminUrl: string;
  runId: string;
  kafka: Kafka;
  admin: Admin;
}

export function startConsumer(
  services: Services,
  databaseUrl: string,
  topic: string,
  group: string,
  { profileDir, traceGc = false }: { profileDir?: string; traceGc?: boolean } = {},
): ChildProcess {
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  const flags = [
    ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
    ...(traceGc ? [TRACE_GC] : []),
  ];
  return started(
    spawn(process.execPath, [...flags, CONSUMER_MAIN], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        // The memory limits the Docker image runs the apps with.
        NODE_OPTIONS: APP_NODE_OPTIONS,
        KAFKA_BROKERS: services.brokers,
        DATABASE_URL: databaseUrl,
        KAFKA_TOPIC_ORDERS: topic,
        KAFKA_TOPIC_DLQ: `${topic}.dlq`,
        KAFKA_CONSUMER_GROUP: group,
        HTTP_PORT: '0',
        LOG_LEVEL: 'warn',
        ...(process.env.CONSUMER_BATCH_MAX ? { CONSUMER_BATCH_MAX: process.env.CONSUMER_BATCH_MAX } : {}),
      },
      // V8's GC trace comes on stdout (read by a GcMeter); the app logs only warnings here.
      stdio: ['ignore', traceGc ? 'pipe' : 'ignore', 'inherit'],
    }),
  );
}

export const stop = (child: ChildProcess): Promise<void> => stopChild(child, 'SIGTERM', 15_000);

export async function prefill(kafka: Kafka, topic: string, count: number): Promise<number> {
  const generator = new OrderGenerator(42);
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const started = performance.now();
  try {
    for (let sent = 0; sent < count;) {
      const messages = Array.from({ length: Math.min(2_000, count - sent) }, () =>
        orderRecord(generator.next()),
      );
      await producer.send({ topic, acks: -1, messages });
      sent += messages.length;
    }
  } finally {
    await producer.disconnect();
  }
  return (performance.now() - started) / 1000;
}

export async function createTopic(admin: Admin, topic: string): Promise<void> {
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
}

export async function freshDatabase(services: Services, label: string): Promise<string> {
  const name = `food_orders_bench_${services.runId}_${label}`;
  await withClient(services.adminUrl, (client) => createDatabase(client, name));
  const url = withDatabase(services.adminUrl, name);
  // The consumer's own migrate step: both contenders write to the same table and indexes.
  execFileSync(process.execPath, [CONSUMER_MAIN, 'migrate'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, DATABASE_URL: url, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return url;
}

export async function dropDatabaseOf(services: Services, databaseUrl: string): Promise<void> {
  await withClient(services.adminUrl, (client) => dropDatabase(client, databaseOf(databaseUrl)));
}

export async function rowCount(db: Client): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM orders');
  return rows[0].n;
}

export function ensureBuilt(): void {
  if (existsSync(join(ROOT, CONSUMER_MAIN))) return;
  say('▶ building the apps (npm run build)');
  execFileSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}

export function describeMachine(brokers: string, local: boolean): void {
  const [cpu] = cpus();
  say(
    `machine: ${cpus().length} × ${cpu.model.trim()}, Node ${process.version}, ` +
      `Kafka ${local ? 'local broker' : brokers}; apps' NODE_OPTIONS (${process.env.BENCH_NODE_OPTIONS === undefined ? "the image's" : 'BENCH_NODE_OPTIONS'}) "${APP_NODE_OPTIONS}"` +
      (process.env.CONSUMER_BATCH_MAX ? `, CONSUMER_BATCH_MAX=${process.env.CONSUMER_BATCH_MAX}` : ''),
  );
}

function dockerfileNodeOptions(): string {
  const match = /NODE_OPTIONS="([^"]+)"/.exec(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
  return match?.[1] ?? '';
}
