/**
 * npm run demo: the whole pipeline on this machine. Uses KAFKA_BROKERS / DATABASE_URL when set,
 * otherwise starts a local Kafka broker (tools/local-kafka.ts) and uses the PostgreSQL at
 * 127.0.0.1:5432, or, when none answers there, an embedded one (tools/local-postgres.ts).
 * Runs two consumers and one producer as separate processes, shows live progress (half-way one consumer
 * leaves the group, and its partitions move), then a summary.
 *
 *   --nodes 3        a local cluster of three Kafka nodes instead of one broker (replication factor 3,
 *                    min.insync.replicas 2): a quarter of the way in, the leader of partition 0 is
 *                    killed (kill -9), the live line shows another node take the partition over, the
 *                    node comes back half-way, and the consumer leaves three quarters of the way in (one
 *                    fault at a time)
 *   DEMO_DURATION_S  how long the producer runs (default 20; 60 with --nodes 3, for the failover to show)
 *   PRODUCER_RATE    orders per second (default 50 in the demo)
 *   EMBEDDED_POSTGRES=true   the embedded PostgreSQL even where a server answers
 * Every setting is checked before anything starts.
 *
 *   npm run demo:reset   drops the demo's database and any broker or PostgreSQL folders a killed run
 *                        left in .cache/
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AssignerProtocol, Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { ConfigError, consumerConfig, kafkaConfig, readEnv } from '@app/config';
import { fetchPartitionLag } from '@app/kafka';
import { dropKafkajsTimerWarning } from '@app/platform';
import { INestApplication } from '@nestjs/common';
import { App, demoControls, endpointsOf, last, startApp, stop } from './demo-apps';
import { LeaderFailover } from './demo-failover';
import { startView } from './view/main';
import { LocalKafkaCluster, nodesOption } from './kafka/local-cluster';
import { LocalKafka, removeLeftoverBrokers } from './local-kafka';
import {
  answers,
  choosePostgres,
  embeddedPostgresForced,
  LocalPostgres,
  removeLeftoverClusters,
} from './local-postgres';

const ROOT = resolve(__dirname, '..');
const DEMO_SETTINGS = ['DEMO_DURATION_S'];
/** Kafka nodes the demo starts: 1, or a cluster with --nodes. */
const NODES_OPTION = nodesOption(process.argv);
const NODES = NODES_OPTION.nodes;
const DURATION_S = Number(process.env.DEMO_DURATION_S ?? (NODES > 1 ? 60 : 20));
const RATE = process.env.PRODUCER_RATE ?? '50';
const DEMO_DATABASE = 'food_orders_demo';
const DEFAULT_DATABASE_URL = `postgres://postgres@127.0.0.1:5432/${DEMO_DATABASE}`;

const say = (line: string) => process.stdout.write(`${line}\n`);

/** Ctrl-C: the demo stops what it started (apps, broker) before it exits, and says how far it got. */
class Interrupted extends Error {}
let interrupted = false;
process.once('SIGINT', () => {
  interrupted = true;
  say('\n▶ Ctrl-C: stopping the apps, the broker and the database the demo started');
});
const checkInterrupted = () => {
  if (interrupted) throw new Interrupted('interrupted');
};

/** The demo's own settings and the apps' (as the apps will read them), all checked before anything starts. */
function settingProblems(): string[] {
  const problems = Object.keys(process.env)
    .filter((name) => name.startsWith('DEMO_') && !DEMO_SETTINGS.includes(name))
    .map((name) => `${name} is not a demo setting (the demo reads ${DEMO_SETTINGS.join(', ')})`);
  if (!Number.isInteger(DURATION_S) || DURATION_S < 1 || DURATION_S > 3_600) {
    problems.push(
      `DEMO_DURATION_S=${JSON.stringify(process.env.DEMO_DURATION_S)} is invalid: expected an integer from 1 to 3600 (default 20)`,
    );
  }
  if (NODES_OPTION.problem) {
    problems.push(NODES_OPTION.problem);
  } else if (NODES > 1 && process.env.KAFKA_BROKERS) {
    problems.push(
      `--nodes ${NODES} starts a local cluster whose nodes the demo may kill, and KAFKA_BROKERS is set: unset KAFKA_BROKERS, or drop --nodes`,
    );
  }
  try {
    readEnv({ ...process.env, PRODUCER_RATE: RATE });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // The apps' default rate is 10; the demo's is its own.
    problems.push(
      ...error.issues.map((issue) =>
        issue.replace(/^(PRODUCER_RATE=.*)\(default \d+\)$/, '$1(default 50 in the demo)'),
      ),
    );
  }
  try {
    embeddedPostgresForced();
  } catch (error) {
    problems.push((error as Error).message);
  }
  return problems;
}

/** Back to a fresh start: the demo's rows and any broker data left by a run that was killed. */
async function reset(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const { hostname, port } = new URL(databaseUrl);
  // Without a server there (the demo used an embedded one, deleted when it stopped) there is nothing to drop.
  if (process.env.DATABASE_URL || (await answers(hostname, Number(port || 5432)))) {
    await onServerOf(databaseUrl, async (admin, name) => {
      await admin.query(`DROP DATABASE IF EXISTS "${name.replaceAll('"', '""')}" WITH (FORCE)`);
      say(`dropped database ${name}`);
    });
  }
  const [brokers, clusters] = await Promise.all([removeLeftoverBrokers(), removeLeftoverClusters()]);
  say(
    `stopped and removed ${brokers} broker(s) and ${clusters} embedded PostgreSQL cluster(s) left in .cache: the next demo starts empty`,
  );
}

async function main(): Promise<void> {
  dropKafkajsTimerWarning();
  if (process.argv.includes('--reset')) return reset();
  const problems = settingProblems();
  if (problems.length > 0) {
    for (const problem of problems) process.stderr.write(`demo: ${problem}\n`);
    process.exitCode = 1;
    return;
  }
  let localKafka: LocalKafka | LocalKafkaCluster | undefined;
  let localPostgres: LocalPostgres | undefined;
  try {
    let brokers = process.env.KAFKA_BROKERS;
    if (!brokers && NODES > 1) {
      say(`▶ starting a local cluster of ${NODES} Apache Kafka nodes (each broker and controller)`);
      localKafka = await LocalKafkaCluster.start({ nodes: NODES, log: (line) => say(`  ${line}`) });
      brokers = localKafka.brokers;
    } else if (!brokers) {
      say('▶ no KAFKA_BROKERS given: starting a local Apache Kafka broker');
      localKafka = await LocalKafka.start({ log: (line) => say(`  ${line}`) });
      brokers = localKafka.brokers;
    }
    checkInterrupted();
    const postgres = await choosePostgres(
      DEFAULT_DATABASE_URL,
      (line) => say(`▶ ${line}`),
      (line) => say(`  ${line}`),
    );
    localPostgres = postgres.server;
    checkInterrupted();
    await demo(brokers, postgres.url, localKafka instanceof LocalKafkaCluster ? localKafka : undefined);
  } catch (error) {
    // After Ctrl-C whatever failed (the terminal's SIGINT reaches the broker and PostgreSQL too) is the interruption.
    if (!interrupted) throw error;
    process.exitCode = 130;
  } finally {
    // Whatever happened (a failure, Ctrl-C), the services the demo started go with it.
    await Promise.all([localKafka?.destroy(), localPostgres?.destroy()]);
  }
}

async function demo(brokers: string, databaseUrl: string, cluster?: LocalKafkaCluster): Promise<void> {
  const started = Date.now();
  await ensureDatabase(databaseUrl);

  if (builtIsCurrent()) {
    say('▶ the apps in dist/ are newer than their sources: no build needed');
  } else {
    say('▶ building the apps (nest build, about 20 s)');
    execFileSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    // webpack leaves an unchanged bundle untouched: mark both as built now, for the next run's check.
    const now = new Date();
    for (const file of builtApps()) utimesSync(file, now, now);
  }

  const env = {
    ...process.env,
    KAFKA_BROKERS: brokers,
    DATABASE_URL: databaseUrl,
    // The demo follows the apps through their JSON lines on stdout: not pretty, not to a file.
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
    LOG_FILE: '',
    // On a cluster, what production asks: three copies of every record, two in sync to acknowledge.
    ...(cluster ? { KAFKA_REPLICATION_FACTOR: String(Math.min(3, cluster.nodes.length)) } : {}),
  };
  // The same topics the apps will use: read through the apps' own configuration.
  const { orders: topic, dlq: dlqTopic } = kafkaConfig().topics;
  const { groupId } = consumerConfig();
  const apps: App[] = [];
  let partial = () => '  nothing produced yet';
  const db = new Client({ connectionString: databaseUrl });
  // A server that goes away (Ctrl-C stops it too) fails the next query; the event alone must not end the demo.
  db.on('error', () => undefined);
  const kafka = new Kafka({
    clientId: 'demo',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
    // A broker that is not there is said in seconds, before any app starts.
    connectionTimeout: 3_000,
    retry: { retries: 2 },
  });
  const admin = kafka.admin();
  let view: INestApplication | undefined;
  try {
    await admin.connect().catch((error: unknown) => {
      throw new Error(
        `no Kafka broker answers at KAFKA_BROKERS=${brokers} (${(error as Error).message}): start one (npm run kafka:start), or unset KAFKA_BROKERS and the demo starts its own`,
      );
    });
    say('▶ starting two consumers (group order-processors)');
    apps.push(startApp('consumer-1', 'order-consumer', { ...env, HTTP_PORT: '0' }));
    apps.push(startApp('consumer-2', 'order-consumer', { ...env, HTTP_PORT: '0' }));
    // The live view's buttons may stop a consumer and start a new process in its place.
    const consumers = () => apps.filter((app) => app.kind === 'order-consumer');
    await waitFor(
      'both consumers to join the group',
      () => apps.every((a) => last(a, 'joined consumer group')),
      90,
      consumers(),
    );
    for (const app of consumers()) say(`  ${app.name}: ${endpointsOf(app)}`);
    // The view reads the same settings as the apps (and as `npm run view` would).
    Object.assign(process.env, { KAFKA_BROKERS: brokers, DATABASE_URL: databaseUrl });
    const controls = demoControls(apps, cluster);
    // VIEW_PORT (3003) when it is free, else any free port: a view left open elsewhere is no reason to fail.
    const shown = await startView(controls).catch(() => startView(controls, 0));
    view = shown.app;
    say(`  live view: ${shown.url}  (open it in a browser: partitions, group, DLQ, buttons)`);

    await db.connect();
    const runStart = new Date();
    const startOffsets = await totalOffsets(admin, topic);
    const startDlq = await totalOffsets(admin, dlqTopic);

    say(`▶ producing for ${DURATION_S} s at ${RATE} orders/s`);
    const producer = startApp('producer', 'order-producer', {
      ...env,
      HTTP_PORT: '0',
      PRODUCER_RATE: RATE,
      PRODUCER_DURATION_S: String(DURATION_S),
    });
    apps.push(producer);
    await waitFor('the producer to listen', () => last(producer, 'listening'), 90, [producer]);
    say(`  producer: ${endpointsOf(producer)}`);
    say('  lag = log-end offset − committed offset, per partition (what KEDA scales on)');
    if (cluster) say('  lead = the node that leads each partition (clients write to and read from it)');

    let producerExit: number | null | undefined;
    void producer.exited.then((code) => (producerExit = code));
    let owned = new Map<number, number[]>();
    let produced = 0;
    let stored = 0;
    let tick = 0;
    const deadline = Date.now() + (DURATION_S + 120) * 1000;
    // Half-way (on a cluster, once the failover is over), one consumer leaves: the group rebalances
    // and the live line shows its partitions move.
    const leaveAt = Math.floor((cluster ? 3 : 2) * (DURATION_S / 4));
    let left: App | undefined;
    // A line of its own for what the demo does, below the live line a terminal rewrites.
    const announce = (line: string) => {
      if (process.stdout.isTTY) process.stdout.write('\n');
      say(line);
    };
    const failover = cluster && new LeaderFailover(cluster, admin, topic, DURATION_S, announce);
    let lag = ['?', '?', '?'];
    partial = () => `  so far: produced ${produced}, stored ${stored}`;
    for (;;) {
      checkInterrupted();
      stored = await storedSince(db, runStart);
      // While a node is down, a broker's answer can fail: the line keeps its last figures meanwhile.
      const fresh = await Promise.all([
        totalOffsets(admin, topic).then((end) => (produced = end - startOffsets)),
        ownedPartitions(admin, groupId, topic).then((now) => (owned = now)),
        lagByPartition(admin, groupId, topic).then((now) => (lag = now.map(String))),
      ]).then(
        () => true,
        () => false,
      );
      const done = fresh && producerExit !== undefined && stored >= produced;
      const partitions = consumers().map((a, i) => `c${i + 1}${partitionsOf(a, owned)}`);
      const leaders = failover ? ` lead ${await failover.leaders()}` : '';
      // At most 79 columns: an 80-column terminal keeps rewriting one line instead of scrolling.
      const progress =
        `produced ${produced} stored ${stored} lag ${lag.join('/')}${leaders} ${partitions.join(' ')}`.slice(
          0,
          79,
        );
      // A terminal gets one line rewritten in place; a log file gets a line every 5 s.
      if (process.stdout.isTTY) process.stdout.write(`\r${progress.padEnd(79)}${done ? '\n' : ''}`);
      else if (done || tick % 5 === 0) say(progress);
      if (done) break;
      if (!left && tick >= leaveAt) {
        left = consumers().at(-1)!;
        announce(`▶ ${left.name} leaves the group (SIGTERM): its partitions move to the others`);
        void stop(left);
      }
      if (failover) await failover.step(tick);
      if (Date.now() > deadline)
        throw new Error(`stored ${stored} of ${produced} orders before the deadline`);
      tick += 1;
      await sleep(1000);
    }
    if (producerExit !== 0) throw new Error(`the producer exited with code ${producerExit}`);
    // Stopped gracefully, each consumer logs its final counts.
    await Promise.all(apps.map((app) => stop(app)));

    const deadLettered = (await totalOffsets(admin, dlqTopic)) - startDlq;
    const latency = await latencyOf(db, runStart);
    const producerLine = (last(producer, 'producer finished') ?? {}) as { rate?: number; errors?: number };
    say('\n── summary ─────────────────────────────────────────────');
    say(
      `  produced        ${produced} orders (${producerLine.rate ?? '?'}/s, producer errors ${producerLine.errors ?? 0})`,
    );
    say(`  stored          ${stored} rows in PostgreSQL`);
    say(`  dead-lettered   ${deadLettered}`);
    if (failover) say(`  failover        ${failover.summary()}`);
    for (const app of consumers()) {
      const when = app === left ? ` (left after ${leaveAt} s)` : '';
      say(`  ${app.name}      partitions ${partitionsOf(app, owned)}${when}, stored ${storedBy(app)}`);
    }
    say(
      `  latency         created_at → row: p50 ${latency.p50} ms, p95 ${latency.p95} ms, max ${latency.max} ms`,
    );
    say(`  wall time       ${Math.round((Date.now() - started) / 1000)} s`);
    say(stored === produced ? '  ✔ every produced order is stored' : '  ✘ some orders are missing');
    process.exitCode = stored === produced ? 0 : 1;
  } catch (error) {
    if (interrupted) say(partial());
    throw error;
  } finally {
    await view?.close();
    await Promise.all(apps.map((app) => stop(app)));
    await admin.disconnect().catch(() => undefined);
    await db.end().catch(() => undefined);
  }
}

/**
 * The group's current assignment as the broker knows it, by consumer pid (each consumer's client id
 * ends with its pid). Log lines would only tell each consumer's last join, which may be stale.
 */
async function ownedPartitions(
  admin: ReturnType<Kafka['admin']>,
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
async function lagByPartition(
  admin: ReturnType<Kafka['admin']>,
  groupId: string,
  topic: string,
): Promise<number[]> {
  return (await fetchPartitionLag(admin, groupId, topic)).map(({ lag }) => lag);
}

const builtApps = () =>
  ['order-producer', 'order-consumer'].map((app) => join(ROOT, 'dist', 'apps', app, 'main.js'));

/** Whether dist/ holds both apps built after the last change to their sources. */
function builtIsCurrent(): boolean {
  const newest = (path: string): number => {
    const stat = statSync(path);
    if (!stat.isDirectory()) return stat.mtimeMs;
    return Math.max(0, ...readdirSync(path).map((entry) => newest(join(path, entry))));
  };
  const built = builtApps();
  if (!built.every((file) => existsSync(file))) return false;
  const sources = [
    'apps',
    'libs',
    'package-lock.json',
    'tsconfig.json',
    'tsconfig.build.json',
    'nest-cli.json',
  ];
  return (
    Math.min(...built.map((file) => statSync(file).mtimeMs)) >
    Math.max(...sources.map((s) => newest(join(ROOT, s))))
  );
}

function partitionsOf(app: App, owned: Map<number, number[]>): string {
  return `[${[...(owned.get(app.child.pid ?? -1) ?? [])].sort().join(',')}]`;
}

function storedBy(app: App): number {
  return Number(last(app, 'processing')?.total_stored ?? 0);
}

async function totalOffsets(admin: ReturnType<Kafka['admin']>, topic: string): Promise<number> {
  const topics = await admin.listTopics();
  if (!topics.includes(topic)) return 0;
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, p) => sum + Number(p.high), 0);
}

async function storedSince(db: Client, since: Date): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    'SELECT count(*) AS n FROM orders WHERE processed_at >= $1',
    [since],
  );
  return Number(rows[0].n);
}

async function latencyOf(db: Client, since: Date): Promise<{ p50: number; p95: number; max: number }> {
  const { rows } = await db.query<{ p50: number; p95: number; max: number }>(
    `SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)) AS p50,
            round(percentile_cont(0.95) WITHIN GROUP (ORDER BY ms)) AS p95,
            round(max(ms)) AS max
       FROM (SELECT extract(epoch FROM processed_at - created_at) * 1000 AS ms FROM orders WHERE processed_at >= $1) t`,
    [since],
  );
  return rows[0];
}

/** Creates the demo's database when it does not exist yet. */
async function ensureDatabase(databaseUrl: string): Promise<void> {
  await onServerOf(databaseUrl, async (admin, name) => {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) {
      await admin.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
      say(`▶ created database ${name}`);
    }
  });
}

/** Runs `work` connected to the server of `databaseUrl` (its postgres database), given the URL's database name. */
async function onServerOf(
  databaseUrl: string,
  work: (admin: Client, name: string) => Promise<void>,
): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const admin = new Client({ connectionString: url.toString() });
  await admin.connect().catch((error: unknown) => {
    const why = (error as Error).message;
    // A stock server (Debian's, Docker's) wants a password the default URL does not have.
    const fix = /password must be a (non-empty )?string/.test(why)
      ? `it wants a password: set DATABASE_URL with one (postgres://user:password@${url.host}/${name}), or EMBEDDED_POSTGRES=true for an embedded PostgreSQL`
      : process.env.DATABASE_URL
        ? 'start it or fix DATABASE_URL, or unset DATABASE_URL and the demo uses 127.0.0.1:5432 or an embedded PostgreSQL'
        : 'start it, set DATABASE_URL to a server that answers, or EMBEDDED_POSTGRES=true for an embedded PostgreSQL';
    throw new Error(`PostgreSQL at ${url.host} cannot be used (${why}): ${fix}`);
  });
  try {
    await work(admin, name);
  } finally {
    await admin.end();
  }
}

/** Waits for `check`; an app of `apps` that exits meanwhile ends the wait at once, with its last line. */
async function waitFor(what: string, check: () => unknown, seconds: number, apps: App[]): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!check()) {
    checkInterrupted();
    const gone = apps.find((app) => app.child.exitCode !== null);
    if (gone) {
      const line = gone.lines.at(-1) ?? {};
      const why = [line.msg, line.reason ?? line.err].filter(Boolean).join(': ');
      throw new Error(
        `${gone.name} exited with code ${gone.child.exitCode} while waiting for ${what}: ${why}`,
      );
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

main().catch((error: unknown) => {
  process.stderr.write(`\ndemo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
