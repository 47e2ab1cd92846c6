/**
 * The failover tests' three-node KRaft cluster for those with a container runtime: one apache/kafka
 * container per node on a network of their own, shaped like tools/kafka/local-cluster.ts (each node
 * broker and controller, replication factor 3, min.insync.replicas 2, small heaps). Nodes answer the
 * host on a fixed port each and one another by name, so a node killed and restarted comes back where
 * clients and the other nodes expect it.
 */
import { randomBytes } from 'node:crypto';
import {
  GenericContainer,
  getContainerRuntimeClient,
  Network,
  StartedNetwork,
  StartedTestContainer,
  Wait,
} from 'testcontainers';
import { freePort } from '../../tools/lib/ports';
import { KAFKA_IMAGE } from './services';

/** A cluster node as the failover tests drive it: the same two verbs as a local node (LocalKafka). */
export interface ClusterNode {
  /** kill -9: no shutdown, no leadership handed over. */
  kill(): Promise<void>;
  /** Back on the same port and data. */
  restart(): Promise<void>;
}

export interface TestCluster {
  brokers: string;
  node(id: number): ClusterNode;
  destroy(): Promise<void>;
}

export async function startContainerCluster(nodes = 3): Promise<TestCluster> {
  const network = await new Network().start();
  const hostPorts = await Promise.all(Array.from({ length: nodes }, () => freePort()));
  const voters = hostPorts.map((_, i) => `${i + 1}@kafka-${i + 1}:9093`).join(',');
  // KRaft wants a 22-character base64url id (16 bytes); the same for every node of the cluster.
  const clusterId = randomBytes(16).toString('base64url');
  let containers: StartedTestContainer[];
  try {
    // All at once: a node reports itself started only when a quorum of controllers has formed.
    containers = await Promise.all(
      hostPorts.map((hostPort, i) => nodeContainer(network, i + 1, hostPort, voters, clusterId).start()),
    );
  } catch (error) {
    await network.stop().catch(() => undefined);
    throw error;
  }
  return {
    brokers: hostPorts.map((port) => `127.0.0.1:${port}`).join(','),
    node(id) {
      const container = containers[id - 1];
      if (!container) throw new Error(`no node ${id}: the cluster has ${containers.length}`);
      return {
        kill: async () => {
          // docker kill sends SIGKILL; a signal sent from inside would not reach the container's PID 1.
          const runtime = await getContainerRuntimeClient();
          await runtime.container.getById(container.getId()).kill({ signal: 'SIGKILL' });
        },
        restart: () => container.restart(),
      };
    },
    destroy: async () => {
      await Promise.all(containers.map((container) => container.stop()));
      await network.stop();
    },
  };
}

function nodeContainer(
  network: StartedNetwork,
  nodeId: number,
  hostPort: number,
  voters: string,
  clusterId: string,
): GenericContainer {
  const name = `kafka-${nodeId}`;
  return new GenericContainer(KAFKA_IMAGE)
    .withNetwork(network)
    .withNetworkAliases(name)
    .withExposedPorts({ container: 9092, host: hostPort })
    .withEnvironment({
      CLUSTER_ID: clusterId,
      KAFKA_NODE_ID: String(nodeId),
      KAFKA_PROCESS_ROLES: 'broker,controller',
      // Clients on the host use PLAINTEXT; the nodes replicate over INTERNAL, by name on the network.
      KAFKA_LISTENERS: 'PLAINTEXT://:9092,INTERNAL://:19092,CONTROLLER://:9093',
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${hostPort},INTERNAL://${name}:19092`,
      KAFKA_INTER_BROKER_LISTENER_NAME: 'INTERNAL',
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,INTERNAL:PLAINTEXT',
      KAFKA_CONTROLLER_QUORUM_VOTERS: voters,
      KAFKA_DEFAULT_REPLICATION_FACTOR: '3',
      KAFKA_MIN_INSYNC_REPLICAS: '2',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '3',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '3',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '2',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
      KAFKA_HEAP_OPTS: '-Xms256m -Xmx256m',
    })
    .withWaitStrategy(Wait.forLogMessage('Kafka Server started'))
    .withStartupTimeout(180_000);
}
