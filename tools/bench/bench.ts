/**
 * npm run bench: how fast the order-consumer (as built, dist/) drains a backlog, next to a raw
 * kafkajs eachBatch + pg consumer (tools/bench/raw-consumer.ts) on the same machine and topic.
 *
 *   npm run bench [-- --orders 200000 --rounds 3]
 *     prefills a 3-partition topic, then runs the contenders in turn, interleaved, each in a fresh
 *     consumer group and a fresh database; prints orders/s (first row → last row), consumer CPU
 *     seconds per 1,000 orders, peak RSS, the consumer/raw ratio per round and the load average.
 *     --profile also records a CPU profile of the last round's order-consumer and prints it by package.
 *     --view keeps the live view open on each contender (tools/view, in headless chromium): what a page costs.
 *   npm run bench -- --producer [--orders 100000 --rounds 3]
 *     the order-producer (dist/, PRODUCER_RATE at its maximum, PRODUCER_MAX_ORDERS) against a raw
 *     kafkajs producer (tools/bench/raw-producer.ts: 1,000 per send, the same delivery settings), each
 *     into a fresh topic made as the apps make it; prints orders/s from the first record's timestamp to
 *     the last, start-to-exit seconds, CPU seconds per 1,000 orders and peak RSS.
 *   npm run bench -- --latency [--rates 10,1000,3000 --seconds 60]
 *     runs the producer at fixed rates against one consumer and prints p50/p95/p99/max of
 *     processed_at − created_at, read back from the rows.
 *
 * Services: KAFKA_BROKERS or a local broker (tools/local-kafka.ts); the PostgreSQL server of
 * DATABASE_URL, else 127.0.0.1:5432, else an embedded one. Databases and topics it creates are its own and dropped after.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Admin, Kafka, logLevel, Partitioners } from 'kafkajs';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { orderRecord } from '@app/contracts';
import { topicSpecs } from '@app/kafka';
import { dropKafkajsTimerWarning } from '@app/platform';
import { dataSourceOptions } from '../../apps/order-consumer/src/database/data-source.options';
import { OrderGenerator } from '../../apps/order-producer/src/orders/order-generator';
import { LocalKafka } from '../local-kafka';
import { choosePostgres } from '../local-postgres';
import { GcMeter, TRACE_GC } from './gc-meter';
import { openView } from './open-view';
import { cpuByPackage } from './profile-summary';

const ROOT = resolve(__dirname, '..', '..');
const PROFILE_DIR = join(ROOT, '.cache', 'bench-profile');
// The image's memory settings, unless BENCH_NODE_OPTIONS tries others (e.g. a larger young generation).
const APP_NODE_OPTIONS = process.env.BENCH_NODE_OPTIONS ?? dockerfileNodeOptions();
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());
const say = (line = '') => process.stdout.write(`${line}\n`);
const children = new Set<ChildProcess>();

/** Every app the bench starts, stopped with it: Ctrl-C must not leave consumers running. */
function started(child: ChildProcess): ChildProcess {
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

interface Services {
  brokers: string;
  adminUrl: string;
  runId: string;
  kafka: Kafka;
  admin: Admin;
}

type Contender = 'raw kafkajs eachBatch' | 'order-consumer';
type ProducerContender = 'raw kafkajs producer' | 'order-producer';

interface ProducerMeasured {
  round: number;
  contender: ProducerContender;
  ordersPerSecond: number;
  wallSeconds: number;
  cpuPerThousand: number;
  peakRssMiB: number;
}

interface Measured {
  round: number;
  contender: Contender;
  ordersPerSecond: number;
  cpuPerThousand: number;
  /** Main-thread garbage collection, as a share of the process's CPU time over the drain. */
  gcShare: number;
  peakRssMiB: number;
  load: number;
}

async function main(): Promise<void> {
  dropKafkajsTimerWarning();
  const { values: args } = parseArgs({
    options: {
      orders: { type: 'string' },
      rounds: { type: 'string', default: '3' },
      latency: { type: 'boolean', default: false },
      producer: { type: 'boolean', default: false },
      rates: { type: 'string', default: '10,1000,3000' },
      seconds: { type: 'string', default: '60' },
      profile: { type: 'boolean', default: false },
      view: { type: 'boolean', default: false },
    },
  });
  ensureBuilt();
  let localKafka: LocalKafka | undefined;
  let brokers = process.env.KAFKA_BROKERS;
  if (!brokers) {
    say('▶ no KAFKA_BROKERS: starting a local Apache Kafka broker');
    localKafka = await LocalKafka.start({ log: (line) => say(`  ${line}`) });
    brokers = localKafka.brokers;
  }
  const postgres = await choosePostgres('postgres://postgres@127.0.0.1:5432/postgres', (line) =>
    say(`  ${line}`),
  );
  const kafka = new Kafka({ clientId: 'bench', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const services: Services = {
    brokers,
    adminUrl: serverUrl(postgres.url),
    runId: Date.now().toString(36),
    kafka,
    admin,
  };
  try {
    describeMachine(brokers, localKafka !== undefined);
    if (args.latency) await latency(services, args.rates.split(',').map(Number), Number(args.seconds));
    else if (args.producer)
      await producerThroughput(services, Number(args.orders ?? 100_000), Number(args.rounds));
    else
      await throughput(
        services,
        Number(args.orders ?? 200_000),
        Number(args.rounds),
        args.profile,
        args.view,
      );
  } finally {
    await admin.disconnect();
    await Promise.all([localKafka?.destroy(), postgres.server?.destroy()]);
  }
}

async function throughput(
  services: Services,
  orders: number,
  rounds: number,
  profile: boolean,
  view: boolean,
): Promise<void> {
  const topic = `bench-${services.runId}.orders`;
  await createTopic(services.admin, topic);
  say(`▶ prefilling ${topic} (3 partitions) with ${orders.toLocaleString('en')} orders`);
  const prefillSeconds = await prefill(services.kafka, topic, orders);
  say(`  ${Math.round(orders / prefillSeconds).toLocaleString('en')} orders/s to prefill`);
  const results: Measured[] = [];
  for (let round = 1; round <= rounds; round += 1) {
    for (const contender of ['raw kafkajs eachBatch', 'order-consumer'] as const) {
      say(`▶ round ${round}: ${contender}`);
      const profileDir =
        profile && round === rounds && contender === 'order-consumer' ? PROFILE_DIR : undefined;
      const result = await drain(services, topic, orders, contender, round, profileDir, view);
      say(
        `  ${fmt(result.ordersPerSecond)} orders/s, ${result.cpuPerThousand.toFixed(3)} CPU s per 1,000, ` +
          `GC ${percent(result.gcShare)} of it, peak RSS ${result.peakRssMiB} MiB, load ${result.load.toFixed(2)}`,
      );
      results.push(result);
    }
  }
  await services.admin.deleteTopics({ topics: [topic, `${topic}.dlq`] }).catch(() => undefined);
  printThroughput(results, orders);
  if (profile) {
    say(
      `\nwhere the order-consumer's CPU went in round ${rounds} (self time by package, idle excluded; ${PROFILE_DIR})`,
    );
    table(
      ['where', 'share'],
      cpuByPackage(PROFILE_DIR)
        .filter(({ share }) => share >= 0.005)
        .map(({ where, share }) => [where, `${(share * 100).toFixed(1)} %`]),
    );
  }
}

/** One contender drains the topic from the start into a fresh database, watched from outside. */
async function drain(
  services: Services,
  topic: string,
  orders: number,
  contender: Contender,
  round: number,
  profileDir?: string,
  view = false,
): Promise<Measured> {
  const name = contender === 'order-consumer' ? 'consumer' : 'raw';
  const databaseUrl = await freshDatabase(services, `${name}_${round}`);
  const group = `bench-${services.runId}-${name}-${round}`;
  // Open (and done starting) before the contender starts: the drain measures the page's running cost.
  const page = view
    ? await openView({
        KAFKA_BROKERS: services.brokers,
        DATABASE_URL: databaseUrl,
        KAFKA_TOPIC_ORDERS: topic,
        KAFKA_TOPIC_DLQ: `${topic}.dlq`,
        KAFKA_CONSUMER_GROUP: group,
      })
    : undefined;
  if (page) say(`  live view open in headless chromium: ${page.url}`);
  const child =
    contender === 'order-consumer'
      ? startConsumer(services, databaseUrl, topic, group, { profileDir, traceGc: true })
      : started(
          spawn(
            process.execPath,
            [TRACE_GC, '-r', 'ts-node/register', join('tools', 'bench', 'raw-consumer.ts')],
            {
              cwd: ROOT,
              env: {
                PATH: process.env.PATH,
                BENCH_BROKERS: services.brokers,
                BENCH_DATABASE_URL: databaseUrl,
                BENCH_TOPIC: topic,
                BENCH_GROUP: group,
              },
              stdio: ['ignore', 'pipe', 'inherit'],
            },
          ),
        );
  const gc = new GcMeter(child);
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    let atFirstRow: { cpu: number; gcMs: number } | undefined;
    await until(`${contender} to store ${orders} orders`, 15 * 60, async () => {
      if (child.exitCode !== null) throw new Error(`${contender} exited with code ${child.exitCode}`);
      const count = await rowCount(db);
      if (count > 0 && atFirstRow === undefined)
        atFirstRow = { cpu: cpuSeconds(child.pid!), gcMs: gc.milliseconds };
      return count >= orders;
    });
    const cpu = cpuSeconds(child.pid!) - (atFirstRow?.cpu ?? 0);
    const gcSeconds = (gc.milliseconds - (atFirstRow?.gcMs ?? 0)) / 1000;
    const peakRssMiB = peakRss(child.pid!);
    const { rows } = await db.query<{ seconds: number }>(
      'SELECT extract(epoch FROM max(processed_at) - min(processed_at))::float8 AS seconds FROM orders',
    );
    return {
      round,
      contender,
      ordersPerSecond: orders / rows[0].seconds,
      cpuPerThousand: (cpu / orders) * 1000,
      gcShare: gcSeconds / cpu,
      peakRssMiB,
      load: loadavg()[0],
    };
  } finally {
    await page?.close();
    await db.end();
    await stop(child);
    await dropDatabase(services, databaseUrl);
  }
}

async function producerThroughput(services: Services, orders: number, rounds: number): Promise<void> {
  const results: ProducerMeasured[] = [];
  for (let round = 1; round <= rounds; round += 1) {
    for (const contender of ['raw kafkajs producer', 'order-producer'] as const) {
      say(`▶ round ${round}: ${contender}`);
      const result = await produceInto(services, orders, contender, round);
      say(
        `  ${fmt(result.ordersPerSecond)} orders/s, ${result.wallSeconds.toFixed(2)} s start to exit, ` +
          `${result.cpuPerThousand.toFixed(3)} CPU s per 1,000, peak RSS ${result.peakRssMiB} MiB`,
      );
      results.push(result);
    }
  }
  say(`\n${fmt(orders)} orders, 3 partitions; orders/s from the first record's timestamp to the last`);
  table(
    [
      'round',
      'contender',
      'orders/s',
      'start → exit s',
      'orders/s start → exit',
      'CPU s / 1,000',
      'peak RSS MiB',
    ],
    results.map((r) => [
      String(r.round),
      r.contender,
      fmt(r.ordersPerSecond),
      r.wallSeconds.toFixed(2),
      fmt(orders / r.wallSeconds),
      r.cpuPerThousand.toFixed(3),
      String(r.peakRssMiB),
    ]),
  );
  const of = (contender: ProducerContender) => results.filter((r) => r.contender === contender);
  const ratios = of('order-producer').map(
    (p, i) => p.ordersPerSecond / of('raw kafkajs producer')[i].ordersPerSecond,
  );
  say();
  say(
    `medians: raw ${fmt(median(of('raw kafkajs producer').map((r) => r.ordersPerSecond)))} orders/s, order-producer ${fmt(median(of('order-producer').map((r) => r.ordersPerSecond)))} orders/s`,
  );
  say(
    `ratio order-producer / raw per round: ${ratios.map((r) => r.toFixed(2)).join(', ')}; median ${median(ratios).toFixed(2)}`,
  );
}

/** One contender sends `orders` into a topic of its own; the topic's record timestamps give the rate. */
async function produceInto(
  services: Services,
  orders: number,
  contender: ProducerContender,
  round: number,
): Promise<ProducerMeasured> {
  const name = contender === 'order-producer' ? 'producer' : 'raw';
  const topic = `bench-${services.runId}-${name}-${round}.orders`;
  const dlq = `${topic}.dlq`;
  // Both topics as the apps provision them (max.message.bytes included).
  const [ordersTopic] = topicSpecs({
    brokers: [services.brokers],
    topics: { orders: topic, dlq },
    ordersPartitions: 3,
    dlqPartitions: 1,
    replicationFactor: 1,
    minInsyncReplicas: 1,
  });
  // A fresh admin each time: kafkajs's admin keeps refreshing the metadata of topics it once touched, deleted ones too.
  await withAdmin(services.kafka, (admin) =>
    admin.createTopics({ topics: [ordersTopic], waitForLeaders: true }),
  );
  const startedAt = performance.now();
  const child = started(
    contender === 'order-producer'
      ? spawn(process.execPath, [join('dist', 'apps', 'order-producer', 'main.js')], {
          cwd: ROOT,
          env: {
            PATH: process.env.PATH,
            NODE_OPTIONS: APP_NODE_OPTIONS,
            KAFKA_BROKERS: services.brokers,
            KAFKA_TOPIC_ORDERS: topic,
            KAFKA_TOPIC_DLQ: dlq,
            PRODUCER_RATE: '100000',
            PRODUCER_MAX_ORDERS: String(orders),
            HTTP_PORT: '0',
            LOG_LEVEL: 'warn',
          },
          stdio: ['ignore', 'ignore', 'inherit'],
        })
      : spawn(process.execPath, ['-r', 'ts-node/register', join('tools', 'bench', 'raw-producer.ts')], {
          cwd: ROOT,
          env: {
            PATH: process.env.PATH,
            // The same Node memory settings for both: the producer's image runs with them.
            NODE_OPTIONS: APP_NODE_OPTIONS,
            TS_NODE_TRANSPILE_ONLY: 'true',
            BENCH_BROKERS: services.brokers,
            BENCH_TOPIC: topic,
            BENCH_ORDERS: String(orders),
          },
          stdio: ['ignore', 'ignore', 'inherit'],
        }),
  );
  // /proc/<pid> goes with the process: sample it until the exit.
  let cpu = 0;
  let peakRssMiB = 0;
  const sampler = setInterval(() => {
    try {
      const [cpuNow, rssNow] = [cpuSeconds(child.pid!), peakRss(child.pid!)];
      // A process on its way out may no longer report them.
      if (Number.isFinite(cpuNow) && Number.isFinite(rssNow)) [cpu, peakRssMiB] = [cpuNow, rssNow];
    } catch {
      // exited between two samples
    }
  }, 50);
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  clearInterval(sampler);
  const wallSeconds = (performance.now() - startedAt) / 1000;
  try {
    if (code !== 0) throw new Error(`${contender} exited with code ${code}`);
    const { count, first, last } = await recordTimes(services, topic);
    if (count !== orders) throw new Error(`${contender} wrote ${count} of ${orders} orders`);
    return {
      round,
      contender,
      ordersPerSecond: orders / ((last - first) / 1000),
      wallSeconds,
      cpuPerThousand: (cpu / orders) * 1000,
      peakRssMiB,
    };
  } finally {
    await withAdmin(services.kafka, (admin) => admin.deleteTopics({ topics: [topic, dlq] })).catch(
      () => undefined,
    );
  }
}

/** How many records a topic holds, and the first and last of their timestamps (ms). */
async function recordTimes(
  services: Services,
  topic: string,
): Promise<{ count: number; first: number; last: number }> {
  const total = (await withAdmin(services.kafka, (admin) => admin.fetchTopicOffsets(topic))).reduce(
    (sum, p) => sum + Number(p.high),
    0,
  );
  const consumer = services.kafka.consumer({ groupId: `bench-reader-${Date.now()}` });
  let count = 0;
  let first = Infinity;
  let last = -Infinity;
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((done) => {
      void consumer.run({
        autoCommit: false,
        eachBatch: ({ batch }) => {
          for (const message of batch.messages) {
            const at = Number(message.timestamp);
            first = Math.min(first, at);
            last = Math.max(last, at);
          }
          count += batch.messages.length;
          if (count >= total) done();
          return Promise.resolve();
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return { count, first, last };
}

async function latency(services: Services, rates: number[], seconds: number): Promise<void> {
  const rows: string[][] = [];
  for (const [run, rate] of rates.entries()) {
    const topic = `bench-${services.runId}-latency-${run}-${rate}.orders`;
    await createTopic(services.admin, topic);
    const databaseUrl = await freshDatabase(services, `latency_${run}_${rate}`);
    const group = `bench-${services.runId}-latency-${run}-${rate}`;
    say(`▶ ${rate} orders/s for ${seconds} s`);
    const consumer = startConsumer(services, databaseUrl, topic, group);
    const db = new Client({ connectionString: databaseUrl });
    try {
      await until('the consumer to join its group', 60, async () => {
        const [description] = (await services.admin.describeGroups([group])).groups;
        return description.state === 'Stable' && description.members.length === 1;
      });
      const producer = started(
        spawn(process.execPath, [join('dist', 'apps', 'order-producer', 'main.js')], {
          cwd: ROOT,
          env: {
            PATH: process.env.PATH,
            KAFKA_BROKERS: services.brokers,
            KAFKA_TOPIC_ORDERS: topic,
            KAFKA_TOPIC_DLQ: `${topic}.dlq`,
            PRODUCER_RATE: String(rate),
            PRODUCER_DURATION_S: String(seconds),
            HTTP_PORT: '0',
            LOG_LEVEL: 'warn',
          },
          stdio: ['ignore', 'ignore', 'inherit'],
        }),
      );
      const code = await new Promise<number | null>((done) => producer.once('exit', done));
      if (code !== 0) throw new Error(`the producer exited with code ${code}`);
      const produced = (await services.admin.fetchTopicOffsets(topic)).reduce(
        (sum, p) => sum + Number(p.high),
        0,
      );
      await db.connect();
      await until(
        `the consumer to store ${produced} orders`,
        120,
        async () => (await rowCount(db)) >= produced,
      );
      const [stats] = (
        await db.query<Record<string, number>>(`
          WITH t AS (SELECT created_at, (extract(epoch FROM processed_at - created_at) * 1000)::float8 AS ms FROM orders),
               tail AS (SELECT ms FROM t WHERE created_at >= (SELECT max(created_at) - interval '10 seconds' FROM t))
          SELECT count(*)::int AS n,
                 percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50,
                 percentile_cont(0.95) WITHIN GROUP (ORDER BY ms) AS p95,
                 percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99,
                 max(ms) AS max,
                 (SELECT percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) FROM tail) AS tail_p99
            FROM t`)
      ).rows;
      const ms = (value: number) => value.toFixed(1);
      rows.push([
        String(rate),
        String(seconds),
        fmt(stats.n),
        ms(stats.p50),
        ms(stats.p95),
        ms(stats.p99),
        ms(stats.max),
        ms(stats.tail_p99),
        String(peakRss(consumer.pid!)),
      ]);
    } finally {
      await db.end().catch(() => undefined);
      await stop(consumer);
      await dropDatabase(services, databaseUrl);
      await services.admin.deleteTopics({ topics: [topic, `${topic}.dlq`] }).catch(() => undefined);
    }
  }
  say('\ncreated_at → row latency (ms), one order-consumer (dist/, image NODE_OPTIONS)');
  table(['rate/s', 'seconds', 'orders', 'p50', 'p95', 'p99', 'max', 'p99 last 10 s', 'peak RSS MiB'], rows);
}

function printThroughput(results: Measured[], orders: number): void {
  say(`\n${fmt(orders)} orders, 3 partitions; orders/s from the first row to the last, by processed_at`);
  table(
    ['round', 'contender', 'orders/s', 'CPU s / 1,000', 'GC share', 'peak RSS MiB', 'load 1m'],
    results.map((r) => [
      String(r.round),
      r.contender,
      fmt(r.ordersPerSecond),
      r.cpuPerThousand.toFixed(3),
      percent(r.gcShare),
      String(r.peakRssMiB),
      r.load.toFixed(2),
    ]),
  );
  const of = (contender: Contender) => results.filter((r) => r.contender === contender);
  const ratios = of('order-consumer').map(
    (c, i) => c.ordersPerSecond / of('raw kafkajs eachBatch')[i].ordersPerSecond,
  );
  say();
  say(
    `medians: raw ${fmt(median(of('raw kafkajs eachBatch').map((r) => r.ordersPerSecond)))} orders/s, order-consumer ${fmt(median(of('order-consumer').map((r) => r.ordersPerSecond)))} orders/s`,
  );
  say(
    `ratio order-consumer / raw per round: ${ratios.map((r) => r.toFixed(2)).join(', ')}; median ${median(ratios).toFixed(2)}`,
  );
}

function startConsumer(
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
    spawn(process.execPath, [...flags, join('dist', 'apps', 'order-consumer', 'main.js')], {
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

async function prefill(kafka: Kafka, topic: string, count: number): Promise<number> {
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

async function createTopic(admin: Admin, topic: string): Promise<void> {
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
}

async function freshDatabase(services: Services, label: string): Promise<string> {
  const name = `food_orders_bench_${services.runId}_${label}`;
  await withClient(services.adminUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(services.adminUrl);
  url.pathname = `/${name}`;
  // The consumer's own migrations: both contenders write to the same table and indexes.
  const dataSource = new DataSource(dataSourceOptions({ url: url.toString(), poolSize: 1 }));
  await dataSource.initialize();
  await dataSource.runMigrations();
  await dataSource.destroy();
  return url.toString();
}

async function dropDatabase(services: Services, databaseUrl: string): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  await withClient(services.adminUrl, (client) =>
    client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  );
}

async function withAdmin<T>(kafka: Kafka, work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function rowCount(db: Client): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM orders');
  return rows[0].n;
}

/** User + system CPU seconds the process has used so far (/proc/<pid>/stat). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** The process's peak resident set size so far, in MiB (VmHWM). */
function peakRss(pid: number): number {
  const kib = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Math.round(Number(kib) / 1024);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

async function until(what: string, seconds: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${seconds} s`);
    await new Promise((done) => setTimeout(done, 200));
  }
}

function ensureBuilt(): void {
  if (existsSync(join(ROOT, 'dist', 'apps', 'order-consumer', 'main.js'))) return;
  say('▶ building the apps (npm run build)');
  execFileSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}

function dockerfileNodeOptions(): string {
  const match = /NODE_OPTIONS="([^"]+)"/.exec(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
  return match?.[1] ?? '';
}

function serverUrl(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  return url.toString();
}

function describeMachine(brokers: string, local: boolean): void {
  const [cpu] = cpus();
  say(
    `machine: ${cpus().length} × ${cpu.model.trim()}, Node ${process.version}, ` +
      `Kafka ${local ? 'local broker' : brokers}; apps' NODE_OPTIONS (${process.env.BENCH_NODE_OPTIONS === undefined ? "the image's" : 'BENCH_NODE_OPTIONS'}) "${APP_NODE_OPTIONS}"` +
      (process.env.CONSUMER_BATCH_MAX ? `, CONSUMER_BATCH_MAX=${process.env.CONSUMER_BATCH_MAX}` : ''),
  );
}

function table(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  say(line(header));
  say(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of rows) say(line(row));
}

const fmt = (n: number) => Math.round(n).toLocaleString('en');
const percent = (share: number) => `${(share * 100).toFixed(1)} %`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
