/**
 * A KRaft cluster of several local Kafka nodes (each broker and controller, one JVM each), started
 * from the same Maven Central jars as the single broker: what production runs (the prod overlay
 * asks for three nodes, replication factor 3, min.insync.replicas 2) on 127.0.0.1.
 *
 * Every node has its own ports and data folder under one run folder; the cluster's internal topics
 * (consumer offsets, transaction state) and new topics get replication factor 3 and min ISR 2.
 * Nodes can be stopped, killed and restarted one by one, as a failover test needs.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { alive } from '../lib/processes';
import { freePort } from '../lib/ports';
import { requirePortFree } from './dev-broker';
import { newClusterId } from './kraft-node';
import { removeLeftoverBrokers } from './leftover-brokers';
import { KAFKA_RUNS_DIR, LocalKafka } from './local-kafka';

export interface LocalClusterOptions {
  nodes?: number;
  /** The run folder; a new one under .cache/kafka-runs when omitted. */
  dataDir?: string;
  /** Broker ports of the nodes, in node order; free ones when omitted. */
  ports?: number[];
  /** Heap of each JVM: three nodes of 256 MiB fit where one of 512 did. */
  heapMb?: number;
  detached?: boolean;
  log?: (line: string) => void;
}

export class LocalKafkaCluster {
  private constructor(
    readonly dataDir: string,
    readonly nodes: LocalKafka[],
  ) {}

  /** All brokers, as KAFKA_BROKERS takes them. */
  get brokers(): string {
    return this.nodes.map((node) => node.brokers).join(',');
  }

  /** The node with this node.id (1-based). */
  node(id: number): LocalKafka {
    const node = this.nodes[id - 1];
    if (!node) throw new Error(`no node ${id}: the cluster has ${this.nodes.length}`);
    return node;
  }

  static async start(options: LocalClusterOptions = {}): Promise<LocalKafkaCluster> {
    const count = options.nodes ?? 3;
    // Nodes of runs that were killed would otherwise keep running until demo:reset.
    if (!options.dataDir) await removeLeftoverBrokers(KAFKA_RUNS_DIR, { onlyOrphans: true });
    const dataDir = options.dataDir ?? join(KAFKA_RUNS_DIR, `cluster-${Date.now()}-${process.pid}`);
    const ports = await Promise.all(
      Array.from({ length: count }, async (_, i) => ({
        port: options.ports?.[i] ?? (await freePort()),
        controllerPort: await freePort(),
      })),
    );
    const voters = ports.map(({ controllerPort }, i) => `${i + 1}@127.0.0.1:${controllerPort}`).join(',');
    const clusterId = newClusterId();
    const replicationFactor = Math.min(3, count);
    // A node only reports itself started once a quorum of controllers has formed: all start together.
    const nodes = await Promise.all(
      ports.map(({ port, controllerPort }, i) =>
        LocalKafka.start({
          port,
          controllerPort,
          dataDir: join(dataDir, `node-${i + 1}`),
          heapMb: options.heapMb ?? 256,
          detached: options.detached,
          log: options.log,
          cluster: {
            nodeId: i + 1,
            voters,
            clusterId,
            replicationFactor,
            minInsyncReplicas: Math.min(2, replicationFactor),
          },
        }),
      ),
    );
    return new LocalKafkaCluster(dataDir, nodes);
  }

  /** Takes control of a cluster another process started (its nodes' state files say where they run). */
  static attach(dataDir: string): LocalKafkaCluster {
    const nodes = readdirSync(dataDir)
      .filter((name) => /^node-\d+$/.test(name))
      .sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)))
      .map((name) => LocalKafka.attach(join(dataDir, name)));
    return new LocalKafkaCluster(dataDir, nodes);
  }

  /** Whether `dataDir` holds a cluster's nodes rather than a single broker. */
  static isCluster(dataDir: string): boolean {
    return existsSync(join(dataDir, 'node-1'));
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.stop()));
  }

  async destroy(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.destroy()));
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** `--nodes N` of kafka:start and the demo: how many nodes to start (1 without the flag), or what is wrong with it. */
export function nodesOption(argv: string[]): { nodes: number; problem?: string } {
  const at = argv.indexOf('--nodes');
  if (at < 0) return { nodes: 1 };
  const nodes = Number(argv[at + 1]);
  if (Number.isInteger(nodes) && nodes >= 1 && nodes <= 5) return { nodes };
  return {
    nodes: 1,
    problem: `--nodes ${argv[at + 1] ?? ''} is invalid: expected 1 to 5 (3 is production's shape)`,
  };
}

/**
 * kafka:start --nodes N: the developer cluster in `dataDir`, brokers on `basePort`, `basePort` + 1, ….
 * Started again after kafka:stop it keeps its data; already running, it is left as it is.
 */
export async function startDevCluster(
  dataDir: string,
  nodes: number,
  basePort: number,
  log: (line: string) => void,
): Promise<{ brokers: string; pid: number; alreadyRunning: boolean }> {
  if (LocalKafkaCluster.isCluster(dataDir)) {
    const running = LocalKafkaCluster.attach(dataDir);
    const pid = running.nodes[0]?.pid;
    if (pid && alive(pid)) return { brokers: running.brokers, pid, alreadyRunning: true };
    // Stopped: start each node again on its ports and data (the same cluster id and quorum).
    await Promise.all(running.nodes.map((node) => node.restart()));
    return { brokers: running.brokers, pid: running.nodes[0].pid!, alreadyRunning: false };
  }
  const ports = Array.from({ length: nodes }, (_, i) => basePort + i);
  for (const port of ports) await requirePortFree(port, 'the cluster');
  const cluster = await LocalKafkaCluster.start({ nodes, dataDir, ports, detached: true, log });
  return { brokers: cluster.brokers, pid: cluster.nodes[0].pid!, alreadyRunning: false };
}
