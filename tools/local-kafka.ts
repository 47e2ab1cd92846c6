/**
 * A real Apache Kafka 3.9 broker without Docker: the jars come from Maven Central (resolved once
 * into .cache/kafka), and a single KRaft node (broker + controller) runs on 127.0.0.1.
 *
 *   npm run kafka:start   # 127.0.0.1:9092 unless KAFKA_LOCAL_PORT says otherwise
 *   npm run kafka:stop
 *   npm run kafka -- <tool> [options]   # Kafka's own command-line tools against it, e.g.
 *       npm run kafka -- consumer-groups --describe --group order-processors
 *
 * Its data stays in .cache/kafka-dev between a stop and the next start (the same cluster id and
 * ports), so topics, orders and committed offsets survive a restart.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { alive, answers, removeRunFolders, serves, stopProcess } from './processes';

const ROOT = resolve(__dirname, '..');
export const KAFKA_RUNS_DIR = join(ROOT, '.cache', 'kafka-runs');
const KAFKA_VERSION = '3.9.2';
const STARTED_LINE = 'Kafka Server started';
const STATE_FILE = 'broker.json';

interface BrokerState {
  pid: number;
  port: number;
  controllerPort: number;
  classpath: string;
  heapMb: number;
}

/** What makes a node one of several in a KRaft cluster (a single broker needs none of it). */
export interface ClusterMembership {
  nodeId: number;
  /** controller.quorum.voters: `id@host:port` of every controller. */
  voters: string;
  /** Every node of a cluster is formatted with the same id. */
  clusterId: string;
  /** Replication factor of new and internal topics, and min.insync.replicas. */
  replicationFactor: number;
  minInsyncReplicas: number;
}

export interface LocalKafkaOptions {
  /** Broker port; 0 picks a free one. */
  port?: number;
  /** KRaft controller port; a free one when omitted. */
  controllerPort?: number;
  /** Broker data and logs; a new temporary folder when omitted. */
  dataDir?: string;
  cacheDir?: string;
  heapMb?: number;
  /** Leave the broker running after this process exits (the kafka:start command). */
  detached?: boolean;
  /** The node's place in a cluster (see local-cluster.ts); a single node when omitted. */
  cluster?: ClusterMembership;
  log?: (line: string) => void;
}

export class LocalKafka {
  private child?: ChildProcess;

  private constructor(
    readonly port: number,
    readonly controllerPort: number,
    readonly dataDir: string,
    private readonly classpath: string,
    private readonly heapMb: number,
    private readonly detached: boolean,
    private readonly log: (line: string) => void,
    private readonly cluster?: ClusterMembership,
  ) {}

  get brokers(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** The running broker's pid: this process's child, or the one the state file names (after a restart elsewhere). */
  get pid(): number | undefined {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) return child.pid;
    return this.state()?.pid;
  }

  /**
   * Takes control of a broker started by another process (e.g. the test run's global setup), to
   * stop and restart it; the broker's state file in its data folder says where and how it runs.
   */
  static attach(dataDir: string, log: (line: string) => void = () => undefined): LocalKafka {
    const state = JSON.parse(readFileSync(join(dataDir, STATE_FILE), 'utf8')) as BrokerState;
    return new LocalKafka(
      state.port,
      state.controllerPort,
      dataDir,
      state.classpath,
      state.heapMb,
      false,
      log,
    );
  }

  static async start(options: LocalKafkaOptions = {}): Promise<LocalKafka> {
    const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
    const libs = resolveJars(options.cacheDir ?? join(ROOT, '.cache', 'kafka'), log);
    // Brokers of runs that were killed would otherwise pile up (and keep running) until demo:reset.
    if (!options.dataDir) await removeLeftoverBrokers(KAFKA_RUNS_DIR, { onlyOrphans: true });
    const dataDir = options.dataDir ?? join(KAFKA_RUNS_DIR, `broker-${Date.now()}-${process.pid}`);
    const port = options.port || (await freePort());
    const kafka = new LocalKafka(
      port,
      options.controllerPort || (await freePort()),
      dataDir,
      `${libs}/*`,
      options.heapMb ?? 512,
      !!options.detached,
      log,
      options.cluster,
    );
    kafka.configure();
    await kafka.launch();
    return kafka;
  }

  /** Starts the broker again on the same ports and data (after stop()), as after a real restart. */
  async restart(): Promise<void> {
    await this.launch();
  }

  /** Kills the broker as a crash would (SIGKILL: no clean shutdown, no leadership handed over). */
  async kill(): Promise<void> {
    const pid = this.pid;
    this.child = undefined;
    if (pid && alive(pid)) await stopProcess(pid, 'SIGKILL', 5_000);
  }

  /** Stops the broker the way an operator would (SIGTERM, a clean shutdown), whoever started it. */
  async stop(): Promise<void> {
    const pid = this.pid;
    this.child = undefined;
    if (pid && alive(pid)) await stopProcess(pid, 'SIGTERM', 20_000);
  }

  /** Stops the broker and deletes its data. */
  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  private state(): BrokerState | undefined {
    const file = join(this.dataDir, STATE_FILE);
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as BrokerState) : undefined;
  }

  private get logFile(): string {
    return join(this.dataDir, 'broker.log');
  }

  private configure(): void {
    mkdirSync(join(this.dataDir, 'data'), { recursive: true });
    const node = this.cluster ?? {
      nodeId: 1,
      voters: `1@127.0.0.1:${this.controllerPort}`,
      replicationFactor: 1,
      minInsyncReplicas: 1,
    };
    const properties = [
      'process.roles=broker,controller',
      `node.id=${node.nodeId}`,
      `controller.quorum.voters=${node.voters}`,
      `listeners=PLAINTEXT://127.0.0.1:${this.port},CONTROLLER://127.0.0.1:${this.controllerPort}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${this.port}`,
      'controller.listener.names=CONTROLLER',
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      'inter.broker.listener.name=PLAINTEXT',
      `log.dirs=${join(this.dataDir, 'data')}`,
      // Topics are created by the apps, with the partitions and retention they need.
      'auto.create.topics.enable=false',
      'num.partitions=1',
      `default.replication.factor=${node.replicationFactor}`,
      // acks=all is acknowledged once this many replicas (the leader included) have the write.
      `min.insync.replicas=${node.minInsyncReplicas}`,
      `offsets.topic.replication.factor=${node.replicationFactor}`,
      'offsets.topic.num.partitions=5',
      `transaction.state.log.replication.factor=${node.replicationFactor}`,
      `transaction.state.log.min.isr=${node.minInsyncReplicas}`,
      'transaction.state.log.num.partitions=5',
      // A developer's broker: start consumer groups without the 3 s wait for more members.
      'group.initial.rebalance.delay.ms=0',
    ];
    writeFileSync(join(this.dataDir, 'server.properties'), `${properties.join('\n')}\n`);
    // Formatted storage keeps its cluster id: a restart must present the same one, or the broker refuses it.
    const clusterId = this.formattedClusterId() ?? this.cluster?.clusterId ?? newClusterId();
    this.formatStorage(clusterId);
  }

  private formatStorage(clusterId: string): void {
    const args = ['-cp', this.classpath, 'kafka.tools.StorageTool', 'format', '-t', clusterId];
    try {
      execFileSync('java', [...args, '-c', this.propertiesFile, '--ignore-formatted'], {
        stdio: 'pipe',
        env: this.javaEnv(),
      });
    } catch (error) {
      const output = String((error as { stderr?: Buffer }).stderr ?? '');
      const cause = /Exception[^:]*: (.+)/.exec(output)?.[1] ?? output.trim().split('\n').pop();
      throw new Error(`formatting the broker's storage in ${this.dataDir} failed: ${cause}`);
    }
  }

  private formattedClusterId(): string | undefined {
    const meta = join(this.dataDir, 'data', 'meta.properties');
    return existsSync(meta) ? /^cluster\.id=(.+)$/m.exec(readFileSync(meta, 'utf8'))?.[1] : undefined;
  }

  private get propertiesFile(): string {
    return join(this.dataDir, 'server.properties');
  }

  private javaEnv(): NodeJS.ProcessEnv {
    return { ...process.env, KAFKA_HEAP_OPTS: undefined };
  }

  private async launch(): Promise<void> {
    const out = openSync(this.logFile, 'a');
    const child = spawn(
      'java',
      [
        `-Xmx${this.heapMb}m`,
        '-Xms128m',
        '-XX:+UseSerialGC',
        '-XX:TieredStopAtLevel=1',
        `-Dlog4j.configuration=file:${join(ROOT, 'tools', 'kafka', 'log4j.properties')}`,
        '-cp',
        this.classpath,
        'kafka.Kafka',
        this.propertiesFile,
      ],
      { stdio: ['ignore', out, out], env: this.javaEnv(), detached: this.detached },
    );
    if (this.detached) child.unref();
    this.child = child;
    const state: BrokerState = {
      pid: child.pid!,
      port: this.port,
      controllerPort: this.controllerPort,
      classpath: this.classpath,
      heapMb: this.heapMb,
    };
    writeFileSync(join(this.dataDir, STATE_FILE), JSON.stringify(state));
    const from = existsSync(this.logFile) ? readFileSync(this.logFile, 'utf8').length : 0;
    const deadline = Date.now() + 90_000;
    while (!readFileSync(this.logFile, 'utf8').slice(from).includes(STARTED_LINE)) {
      if (child.exitCode !== null) {
        throw new Error(`Kafka broker exited with code ${child.exitCode}; see ${this.logFile}`);
      }
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`Kafka broker did not start within 90 s; see ${this.logFile}`);
      }
      await new Promise((done) => setTimeout(done, 100));
    }
    this.log(`local Kafka ${KAFKA_VERSION} ready on ${this.brokers} (pid ${child.pid})`);
  }
}

/**
 * A KRaft cluster id: 16 random bytes, base64url. Never one that starts with '-', which the storage
 * tool would read as an option ("argument --cluster-id/-t: expected one argument"): one id in 64.
 */
export function newClusterId(random = () => randomBytes(16)): string {
  for (;;) {
    const id = random().toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/**
 * Stops the brokers in `runsDir` (each one's state file names it) and deletes their folders; returns
 * how many there were. With `onlyOrphans`, only those whose run (the process whose pid ends the
 * folder's name) is gone: a run killed with kill -9 leaves its broker running.
 */
export function removeLeftoverBrokers(
  runsDir = KAFKA_RUNS_DIR,
  { onlyOrphans = false } = {},
): Promise<number> {
  return removeRunFolders(runsDir, onlyOrphans, async (runDir) => {
    // A single broker's state file is in its run folder; a cluster's, in one folder per node.
    const nodeDirs = [runDir, ...readdirSync(runDir).map((name) => join(runDir, name))].filter((dir) =>
      existsSync(join(dir, STATE_FILE)),
    );
    for (const dataDir of nodeDirs) {
      const broker = LocalKafka.attach(dataDir);
      const pid = broker.pid;
      if (pid && serves(pid, dataDir)) await broker.stop();
    }
    return true;
  });
}

/** Downloads the broker's jars once; later calls reuse the cache. Returns the libs folder. */
export function resolveJars(cacheDir: string, log: (line: string) => void): string {
  const libs = join(cacheDir, `kafka-${KAFKA_VERSION}`, 'libs');
  const marker = join(libs, '.complete');
  // The marker holds the pom's digest: a pom that lists more (e.g. the tools) resolves again.
  const pom = createHash('sha256')
    .update(readFileSync(join(ROOT, 'tools', 'kafka', 'pom.xml')))
    .digest('hex');
  if (existsSync(marker) && readFileSync(marker, 'utf8').includes(pom)) return libs;
  log(`resolving Apache Kafka ${KAFKA_VERSION} from Maven Central into ${cacheDir} (first run only)`);
  rmSync(libs, { recursive: true, force: true });
  try {
    execFileSync(
      'mvn',
      [
        '-q',
        '-B',
        '-Dstyle.color=never',
        `-Dmaven.repo.local=${join(cacheDir, 'm2')}`,
        '-f',
        join(ROOT, 'tools', 'kafka', 'pom.xml'),
        'dependency:copy-dependencies',
        `-DoutputDirectory=${libs}`,
        '-DincludeScope=runtime',
      ],
      { stdio: 'pipe' },
    );
  } catch (error) {
    // Maven's own report says what failed (network, repository); show it rather than a bare exit code.
    const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(
      `Maven could not resolve Apache Kafka ${KAFKA_VERSION}:\n${String(stdout ?? '')}${String(stderr ?? '')}`,
    );
  }
  writeFileSync(marker, `${new Date().toISOString()} ${pom}\n`);
  return libs;
}

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Fails, naming the fix, when another process listens on a port a developer broker is to use. */
export async function requirePortFree(port: number, what: string): Promise<void> {
  if (!(await portIsFree(port))) {
    throw new Error(
      `port ${port} is taken by another process (another broker? docker compose's kafka?): stop it, or start ${what} elsewhere with KAFKA_LOCAL_PORT=19092`,
    );
  }
}

export function portIsFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

/**
 * kafka:start: the developer broker in `dataDir`, on `port`. Started again after kafka:stop it keeps
 * its data, cluster id and controller port; already running, it is left as it is.
 */
export async function startDevBroker(
  dataDir: string,
  port: number,
  log: (line: string) => void,
): Promise<{ brokers: string; pid: number; alreadyRunning: boolean }> {
  const previous = existsSync(join(dataDir, STATE_FILE)) ? LocalKafka.attach(dataDir) : undefined;
  const pid = previous?.pid;
  if (previous && pid && alive(pid)) return { brokers: previous.brokers, pid, alreadyRunning: true };
  await requirePortFree(port, 'this one');
  const controllerPort =
    previous && (await portIsFree(previous.controllerPort)) ? previous.controllerPort : undefined;
  const kafka = await LocalKafka.start({ port, controllerPort, dataDir, detached: true, log });
  return { brokers: kafka.brokers, pid: kafka.pid!, alreadyRunning: false };
}

/**
 * One line at once when no broker answers: Kafka's own tools would retry for a minute, warning as they go.
 */
async function requireBroker(brokers: string): Promise<void> {
  const reachable = await Promise.all(
    brokers.split(',').map((broker) => {
      const [host, port] = broker.trim().split(':');
      return answers(host, Number(port));
    }),
  );
  if (!reachable.includes(true)) {
    throw new Error(
      `no Kafka broker answers at ${brokers}: start one (npm run kafka:start), or set KAFKA_BROKERS`,
    );
  }
}

/** Kafka's command-line tools by their script names (bin/kafka-<name>.sh in a Kafka download). */
export const KAFKA_TOOLS: Record<string, string> = {
  topics: 'org.apache.kafka.tools.TopicCommand',
  'consumer-groups': 'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand',
  'get-offsets': 'org.apache.kafka.tools.GetOffsetShell',
  'console-consumer': 'org.apache.kafka.tools.consumer.ConsoleConsumer',
  'console-producer': 'kafka.tools.ConsoleProducer',
};

/**
 * Runs one of Kafka's tools from the broker's own jars, against KAFKA_BROKERS or the local broker;
 * resolves with its exit code. Its output goes to this process's stdout and stderr.
 */
export function runKafkaTool(name: string, args: string[], brokers: string): Promise<number> {
  const main = KAFKA_TOOLS[name];
  if (!main) {
    throw new Error(`unknown tool ${JSON.stringify(name)}: one of ${Object.keys(KAFKA_TOOLS).join(', ')}`);
  }
  const libs = resolveJars(join(ROOT, '.cache', 'kafka'), (line) => process.stderr.write(`${line}\n`));
  const bootstrap = args.includes('--bootstrap-server') ? [] : ['--bootstrap-server', brokers];
  const child = spawn(
    'java',
    [
      '-Xmx256m',
      `-Dlog4j.configuration=file:${join(ROOT, 'tools', 'kafka', 'tools-log4j.properties')}`,
      '-cp',
      `${libs}/*`,
      main,
      ...bootstrap,
      ...args,
    ],
    { stdio: 'inherit', env: { ...process.env, KAFKA_HEAP_OPTS: undefined } },
  );
  return new Promise((done, fail) => {
    child.once('error', fail);
    child.once('exit', (code) => done(code ?? 1));
  });
}

async function main(command: string | undefined): Promise<void> {
  const dataDir = join(ROOT, '.cache', 'kafka-dev');
  const clusterDir = join(ROOT, '.cache', 'kafka-dev-cluster');
  const log = (line: string) => process.stdout.write(`${line}\n`);
  // Loaded on demand: the cluster is built from this file's LocalKafka.
  const { LocalKafkaCluster, nodesOption, startDevCluster } = await import('./kafka/local-cluster');
  if (command === 'start') {
    const port = Number(process.env.KAFKA_LOCAL_PORT ?? 9092);
    const { nodes, problem } = nodesOption(process.argv);
    if (problem) throw new Error(problem);
    const broker =
      nodes === 1
        ? await startDevBroker(dataDir, port, log)
        : await startDevCluster(clusterDir, nodes, port, log);
    if (broker.alreadyRunning) log(`local Kafka is already running on ${broker.brokers} (pid ${broker.pid})`);
    log(`KAFKA_BROKERS=${broker.brokers}`);
    process.exit(0);
  }
  if (command === 'tool') {
    const [name, ...args] = process.argv.slice(3);
    const running = existsSync(join(dataDir, STATE_FILE))
      ? LocalKafka.attach(dataDir)
      : LocalKafkaCluster.isCluster(clusterDir)
        ? LocalKafkaCluster.attach(clusterDir)
        : undefined;
    const brokers = process.env.KAFKA_BROKERS ?? running?.brokers ?? '127.0.0.1:9092';
    await requireBroker(brokers);
    process.exit(await runKafkaTool(name ?? '', args, brokers));
  }
  if (command === 'stop') {
    if (existsSync(join(dataDir, STATE_FILE))) await LocalKafka.attach(dataDir).stop();
    if (LocalKafkaCluster.isCluster(clusterDir)) await LocalKafkaCluster.attach(clusterDir).stop();
    log('local Kafka stopped (its data stays in .cache/kafka-dev, or kafka-dev-cluster)');
    return;
  }
  process.stderr.write(
    `usage: local-kafka.ts start [--nodes 3] | stop | tool <${Object.keys(KAFKA_TOOLS).join('|')}> [options]\n`,
  );
  process.exit(2);
}

if (require.main === module) {
  main(process.argv[2]).catch((error: unknown) => {
    // One line that says what to do, not a stack trace.
    process.stderr.write(
      `kafka:${process.argv[2]}: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  });
}
