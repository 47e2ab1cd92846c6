/**
 * npm run demo: the whole pipeline on this machine. Uses KAFKA_BROKERS / DATABASE_URL when set,
 * otherwise starts a local Kafka broker (tools/kafka/local-kafka.ts) and uses the PostgreSQL at
 * 127.0.0.1:5432, or, when none answers there, an embedded one (tools/postgres/local-postgres.ts).
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
import { ConfigError, readEnv } from '@app/config';
import { dropKafkajsTimerWarning } from '@app/platform';
import { removeLeftoverBrokers } from '../kafka/leftover-brokers';
import { LocalKafkaCluster, nodesOption } from '../kafka/local-cluster';
import { LocalKafka } from '../kafka/local-kafka';
import { answers } from '../lib/processes';
import { dropDatabase } from '../lib/databases';
import { say } from '../lib/say';
import { choosePostgres, embeddedPostgresForced } from '../postgres/choose-postgres';
import { removeLeftoverClusters } from '../postgres/leftover-clusters';
import { LocalPostgres } from '../postgres/local-postgres';
import { removeLeftoverApps } from './apps';
import { buildIfStale } from './build';
import { ensureDatabase, onServerOf } from './database';
import { DemoRun } from './demo-run';
import { checkInterrupted, stopOnCtrlC, wasInterrupted } from './interruption';

const DEMO_SETTINGS = ['DEMO_DURATION_S'];
/** Kafka nodes the demo starts: 1, or a cluster with --nodes. */
const NODES_OPTION = nodesOption(process.argv);
const NODES = NODES_OPTION.nodes;
const DURATION_S = Number(process.env.DEMO_DURATION_S ?? (NODES > 1 ? 60 : 20));
const RATE = process.env.PRODUCER_RATE ?? '50';
const DEMO_DATABASE = 'food_orders_demo';
const DEFAULT_DATABASE_URL = `postgres://postgres@127.0.0.1:5432/${DEMO_DATABASE}`;

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

/** Back to a fresh start: what killed runs left in .cache (apps, brokers, clusters), then the demo's rows. */
async function reset(): Promise<void> {
  // The sweep first: a database that cannot be used must not keep a killed run's processes alive.
  const apps = await removeLeftoverApps();
  const [brokers, clusters] = await Promise.all([removeLeftoverBrokers(), removeLeftoverClusters()]);
  say(
    `stopped and removed the apps of ${apps} killed run(s), ${brokers} broker(s) and ${clusters} embedded PostgreSQL cluster(s) left in .cache`,
  );
  const databaseUrl = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const { hostname, port } = new URL(databaseUrl);
  // Without a server there (the demo used an embedded one, deleted when it stopped) there is nothing to drop.
  if (process.env.DATABASE_URL || (await answers(hostname, Number(port || 5432)))) {
    await onServerOf(databaseUrl, async (admin, name) => {
      await dropDatabase(admin, name);
      say(`dropped database ${name}`);
    });
  }
  say('the next demo starts empty');
}

async function main(): Promise<void> {
  dropKafkajsTimerWarning();
  stopOnCtrlC();
  if (process.argv.includes('--reset')) return reset();
  const problems = settingProblems();
  if (problems.length > 0) {
    for (const problem of problems) process.stderr.write(`demo: ${problem}\n`);
    process.exitCode = 1;
    return;
  }
  // A demo killed with kill -9 left its producer and consumers running, in the group and on the topic.
  const leftover = await removeLeftoverApps();
  if (leftover > 0) say(`▶ stopped the apps of ${leftover} demo run(s) that were killed`);
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
    if (!wasInterrupted()) throw error;
    process.exitCode = 130;
  } finally {
    // Whatever happened (a failure, Ctrl-C), the services the demo started go with it.
    await Promise.all([localKafka?.destroy(), localPostgres?.destroy()]);
  }
}

async function demo(brokers: string, databaseUrl: string, cluster?: LocalKafkaCluster): Promise<void> {
  const startedAt = Date.now();
  await ensureDatabase(databaseUrl);
  buildIfStale();
  const run = new DemoRun({ brokers, databaseUrl, cluster, durationS: DURATION_S, rate: RATE, startedAt });
  try {
    await run.startConsumers();
    await run.openView();
    await run.follow(await run.startProducer());
  } catch (error) {
    if (wasInterrupted()) say(run.partial());
    throw error;
  } finally {
    await run.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`\ndemo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
