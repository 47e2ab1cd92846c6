/** A local KRaft node's configuration, and its storage formatted with a cluster id. */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { JAVA_MISSING, missingProgram } from './jars';

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

/** server.properties of a node that is both broker and controller, on 127.0.0.1. */
export function brokerProperties(
  node: Omit<ClusterMembership, 'clusterId'>,
  port: number,
  controllerPort: number,
  logDir: string,
): string {
  const properties = [
    'process.roles=broker,controller',
    `node.id=${node.nodeId}`,
    `controller.quorum.voters=${node.voters}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${logDir}`,
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
  return `${properties.join('\n')}\n`;
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

/** The environment of Kafka's java processes: its own heap settings, not a KAFKA_HEAP_OPTS of the shell's. */
export function javaEnv(): NodeJS.ProcessEnv {
  return { ...process.env, KAFKA_HEAP_OPTS: undefined };
}

/** Formats a node's storage (once: a formatted one is left as it is) with `clusterId`. */
export function formatStorage(
  classpath: string,
  propertiesFile: string,
  clusterId: string,
  dataDir: string,
): void {
  const args = ['-cp', classpath, 'kafka.tools.StorageTool', 'format', '-t', clusterId];
  try {
    execFileSync('java', [...args, '-c', propertiesFile, '--ignore-formatted'], {
      stdio: 'pipe',
      env: javaEnv(),
    });
  } catch (error) {
    const output = String((error as { stderr?: Buffer }).stderr ?? '');
    const cause =
      missingProgram(error, 'Java', 'java', JAVA_MISSING) ??
      /Exception[^:]*: (.+)/.exec(output)?.[1] ??
      (output.trim().split('\n').pop() || String(error));
    throw new Error(`formatting the broker's storage in ${dataDir} failed: ${cause}`);
  }
}

/** The cluster id a node's storage was formatted with: a restart must present the same one. */
export function formattedClusterId(dataDir: string): string | undefined {
  const meta = join(dataDir, 'data', 'meta.properties');
  return existsSync(meta) ? /^cluster\.id=(.+)$/m.exec(readFileSync(meta, 'utf8'))?.[1] : undefined;
}

/** A node on its own: its own controller, every replication factor 1. */
export function singleNode(controllerPort: number): Omit<ClusterMembership, 'clusterId'> {
  return { nodeId: 1, voters: `1@127.0.0.1:${controllerPort}`, replicationFactor: 1, minInsyncReplicas: 1 };
}

/** A node's java command line: a bounded heap, the serial collector, a quick start (C1 only). */
export function nodeCommand(heapMb: number, classpath: string, propertiesFile: string): string[] {
  return [
    `-Xmx${heapMb}m`,
    '-Xms128m',
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    `-Dlog4j.configuration=file:${join(__dirname, 'log4j.properties')}`,
    '-cp',
    classpath,
    'kafka.Kafka',
    propertiesFile,
  ];
}
