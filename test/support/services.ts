/**
 * The real services the e2e tests run against, picked in this order:
 * 1. KAFKA_BROKERS and DATABASE_URL set: use them (compose, CI, a developer's own stack);
 * 2. a container runtime reachable: testcontainers (Kafka 3.9 KRaft, PostgreSQL 16);
 * 3. otherwise: a local Apache Kafka 3.9 broker from Maven Central, and the PostgreSQL at
 *    DATABASE_URL, else the one answering at 127.0.0.1:5432, else an embedded one (tools/postgres/local-postgres.ts).
 * EMBEDDED_POSTGRES=true picks the embedded PostgreSQL whatever else is there (Kafka as above).
 * Each test file then gets its own database on that server (see test-database.ts).
 */
import { GenericContainer, getContainerRuntimeClient, StartedTestContainer, Wait } from 'testcontainers';
import { PostgreSqlContainer } from '@testcontainers/postgresql';
import { LocalKafka } from '../../tools/kafka/local-kafka';
import { freePort } from '../../tools/lib/ports';
import { choosePostgres, ChosenPostgres, embeddedPostgresForced } from '../../tools/postgres/choose-postgres';
import { LocalPostgres } from '../../tools/postgres/local-postgres';

export const KAFKA_IMAGE = 'apache/kafka:3.9.1';
export const POSTGRES_IMAGE = 'postgres:16-alpine';
const LOCAL_POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestServices {
  source: 'environment' | 'testcontainers' | 'local';
  brokers: string;
  /** Where PostgreSQL comes from, when not from the same source as the broker. */
  postgres: 'environment' | 'testcontainers' | 'local' | 'embedded';
  /** A URL on the PostgreSQL server whose user may create databases. */
  postgresUrl: string;
  /** The local broker, when that is what runs (lets fault tests restart it). */
  localKafka?: LocalKafka;
  stop(): Promise<void>;
}

export async function startTestServices(log: (line: string) => void): Promise<TestServices> {
  const embedded = embeddedPostgresForced();
  const { KAFKA_BROKERS } = process.env;
  const DATABASE_URL = embedded ? undefined : process.env.DATABASE_URL;
  if (KAFKA_BROKERS && DATABASE_URL) {
    log(`e2e services: from the environment (KAFKA_BROKERS=${KAFKA_BROKERS})`);
    return {
      source: 'environment',
      postgres: 'environment',
      brokers: KAFKA_BROKERS,
      postgresUrl: DATABASE_URL,
      stop: async () => {},
    };
  }
  if (await containerRuntimeAvailable()) {
    log(`e2e services: testcontainers${embedded ? ' (Kafka) + embedded PostgreSQL' : ''}`);
    return startContainers(embedded ? await LocalPostgres.start({ log }) : undefined);
  }
  log('e2e services: no container runtime; local Kafka broker from Maven Central');
  const localKafka = await LocalKafka.start({ log });
  let postgres: ChosenPostgres;
  try {
    postgres = await choosePostgres(LOCAL_POSTGRES, log);
  } catch (error) {
    await localKafka.destroy();
    throw error;
  }
  const where = { environment: 'at DATABASE_URL', local: 'at 127.0.0.1:5432', embedded: 'embedded' };
  log(`e2e services: PostgreSQL ${where[postgres.source]}`);
  return {
    source: 'local',
    postgres: postgres.source,
    brokers: localKafka.brokers,
    postgresUrl: postgres.url,
    localKafka,
    stop: async () => {
      await Promise.all([localKafka.destroy(), postgres.server?.destroy()]);
    },
  };
}

export async function containerRuntimeAvailable(): Promise<boolean> {
  try {
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

async function startContainers(embeddedPostgres?: LocalPostgres): Promise<TestServices> {
  // The broker must advertise the port the host sees, so it is chosen before the container starts.
  const hostPort = await freePort();
  const [kafka, postgres] = await Promise.all([
    new GenericContainer(KAFKA_IMAGE)
      .withExposedPorts({ container: 9092, host: hostPort })
      .withEnvironment({
        KAFKA_NODE_ID: '1',
        KAFKA_PROCESS_ROLES: 'broker,controller',
        KAFKA_LISTENERS: 'PLAINTEXT://:9092,CONTROLLER://:9093',
        KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${hostPort}`,
        KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
        KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
        KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
        KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
      })
      .withWaitStrategy(Wait.forLogMessage('Kafka Server started'))
      .start(),
    embeddedPostgres ? undefined : new PostgreSqlContainer(POSTGRES_IMAGE).start(),
  ]);
  const containers: StartedTestContainer[] = postgres ? [kafka, postgres] : [kafka];
  return {
    source: 'testcontainers',
    postgres: embeddedPostgres ? 'embedded' : 'testcontainers',
    brokers: `127.0.0.1:${hostPort}`,
    postgresUrl: embeddedPostgres?.urlFor() ?? postgres!.getConnectionUri(),
    stop: async () => {
      await Promise.all([...containers.map((c) => c.stop()), embeddedPostgres?.destroy()]);
    },
  };
}
