/** `npm run bench`: the order-consumer and the raw consumer drain the same prefilled topic, interleaved. */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { GcMeter, TRACE_GC } from './gc-meter';
import { openView } from './open-view';
import { cpuByPackage } from './profile-summary';
import {
  createTopic,
  dropDatabaseOf,
  freshDatabase,
  prefill,
  PROFILE_DIR,
  rowCount,
  Services,
  startConsumer,
  started,
  stop,
} from './bench-env';
import { ROOT } from '../lib/paths';
import { say } from '../lib/say';
import { waitUntil } from '../lib/wait';
import { cpuSeconds, fmt, median, peakRss, percent, table } from './measure';

type Contender = 'raw kafkajs eachBatch' | 'order-consumer';

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

export async function throughput(
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
    const stored = async () => {
      if (child.exitCode !== null) throw new Error(`${contender} exited with code ${child.exitCode}`);
      const count = await rowCount(db);
      if (count > 0 && atFirstRow === undefined)
        atFirstRow = { cpu: cpuSeconds(child.pid!), gcMs: gc.milliseconds };
      return count >= orders;
    };
    await waitUntil(`${contender} to store ${orders} orders`, stored, { timeoutMs: 15 * 60_000 });
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
    await dropDatabaseOf(services, databaseUrl);
  }
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
