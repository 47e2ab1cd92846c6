/**
 * A real Apache Kafka 3.9 broker without Docker: the jars come from Maven Central (resolved once
 * into .cache/kafka), and a KRaft node (broker and controller) runs on 127.0.0.1: alone, or one of a
 * cluster (local-cluster.ts). npm run kafka:start keeps one running between commands (cli.ts).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../lib/ports';
import { alive, stopProcess } from '../lib/processes';
import { waitUntil, WaitTimeout } from '../lib/wait';
import {
  brokerProperties,
  ClusterMembership,
  formatStorage,
  formattedClusterId,
  javaEnv,
  newClusterId,
  nodeCommand,
  singleNode,
} from './kraft-node';
import { removeLeftoverBrokers } from './leftover-brokers';
import { JAVA_MISSING, KAFKA_CACHE_DIR, KAFKA_VERSION, missingProgram, resolveJars } from './jars';
import { cacheDir } from '../lib/paths';

export const KAFKA_RUNS_DIR = cacheDir('kafka-runs');
const STARTED_LINE = 'Kafka Server started';
export const STATE_FILE = 'broker.json';

interface BrokerState {
  pid: number;
  port: number;
  controllerPort: number;
  classpath: string;
  heapMb: number;
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
    const libs = resolveJars(options.cacheDir ?? KAFKA_CACHE_DIR, log);
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
    const node = this.cluster ?? singleNode(this.controllerPort);
    const properties = brokerProperties(node, this.port, this.controllerPort, join(this.dataDir, 'data'));
    writeFileSync(this.propertiesFile, properties);
    // Formatted storage keeps its cluster id: a restart must present the same one, or the broker refuses it.
    const clusterId = formattedClusterId(this.dataDir) ?? this.cluster?.clusterId ?? newClusterId();
    formatStorage(this.classpath, this.propertiesFile, clusterId, this.dataDir);
  }

  private get propertiesFile(): string {
    return join(this.dataDir, 'server.properties');
  }

  private async launch(): Promise<void> {
    const out = openSync(this.logFile, 'a');
    const child = spawn('java', nodeCommand(this.heapMb, this.classpath, this.propertiesFile), {
      stdio: ['ignore', out, out],
      env: javaEnv(),
      detached: this.detached,
    });
    if (this.detached) child.unref();
    this.child = child;
    let spawnError: Error | undefined;
    child.once('error', (error) => (spawnError = error));
    const state: BrokerState = {
      pid: child.pid!,
      port: this.port,
      controllerPort: this.controllerPort,
      classpath: this.classpath,
      heapMb: this.heapMb,
    };
    writeFileSync(join(this.dataDir, STATE_FILE), JSON.stringify(state));
    const from = existsSync(this.logFile) ? readFileSync(this.logFile, 'utf8').length : 0;
    const started = () => {
      if (spawnError)
        throw new Error(missingProgram(spawnError, 'Java', 'java', JAVA_MISSING) ?? String(spawnError));
      if (child.exitCode !== null)
        throw new Error(`Kafka broker exited with code ${child.exitCode}; see ${this.logFile}`);
      return readFileSync(this.logFile, 'utf8').slice(from).includes(STARTED_LINE);
    };
    await waitUntil('Kafka', started, { timeoutMs: 90_000, intervalMs: 100 }).catch((error) => {
      if (!(error instanceof WaitTimeout)) throw error;
      child.kill('SIGKILL');
      throw new Error(`Kafka broker did not start within 90 s; see ${this.logFile}`);
    });
    this.log(`local Kafka ${KAFKA_VERSION} ready on ${this.brokers} (pid ${child.pid})`);
  }
}
