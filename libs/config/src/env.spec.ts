import { consumerConfig } from './consumer.config';
import { databaseConfig } from './database.config';
import { ConfigError, readEnv } from './env';
import { consumerHttpConfig, producerHttpConfig } from './http.config';
import { kafkaConfig } from './kafka.config';
import { logConfig } from './log.config';
import { producerConfig } from './producer.config';
import { startupConfig } from './startup.config';

function withEnv<T>(env: Record<string, string>, read: () => T): T {
  const saved = process.env;
  process.env = { ...env };
  try {
    return read();
  } finally {
    process.env = saved;
  }
}

function issuesOf(env: Record<string, string>): string[] {
  try {
    readEnv(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
}

describe(readEnv.name, () => {
  it('gives the documented defaults when nothing is set', () => {
    withEnv({}, () => {
      expect(kafkaConfig()).toEqual({
        brokers: ['localhost:9092'],
        topics: { orders: 'food-orders', dlq: 'food-orders.dlq' },
        ordersPartitions: 3,
        dlqPartitions: 1,
        replicationFactor: 1,
        minInsyncReplicas: 1,
      });
      expect(producerConfig()).toEqual({ ratePerSecond: 10, maxOrders: 0, durationSeconds: 0, seed: 42 });
      expect(consumerConfig()).toEqual({ groupId: 'order-processors', concurrency: 3, batchMax: 1000 });
      expect(databaseConfig()).toEqual({
        url: 'postgres://postgres:postgres@localhost:5432/orders',
        poolSize: 10,
      });
      expect(producerHttpConfig()).toEqual({ port: 3001 });
      expect(consumerHttpConfig()).toEqual({ port: 3002 });
      expect(logConfig()).toEqual({ level: 'info', format: 'json' });
      expect(startupConfig()).toEqual({ waitSeconds: 60 });
    });
  });

  it('reads every variable that is set, trimmed, an empty one counting as unset', () => {
    const env = {
      KAFKA_BROKERS: 'kafka-1:9092, kafka-2:9092',
      KAFKA_TOPIC_ORDERS: 'orders.v1',
      PRODUCER_RATE: '2.5',
      PRODUCER_MAX_ORDERS: ' 100 ',
      DB_POOL_SIZE: '4',
      LOG_FORMAT: 'pretty',
      HTTP_PORT: '0',
      MOCK_SEED: '',
    };
    withEnv(env, () => {
      expect(kafkaConfig().brokers).toEqual(['kafka-1:9092', 'kafka-2:9092']);
      expect(kafkaConfig().topics.orders).toBe('orders.v1');
      expect(producerConfig()).toEqual({ ratePerSecond: 2.5, maxOrders: 100, durationSeconds: 0, seed: 42 });
      expect(databaseConfig().poolSize).toBe(4);
      expect(logConfig().format).toBe('pretty');
      expect(producerHttpConfig().port).toBe(0);
    });
  });

  it.each([
    ['PRODUCER_RATE', 'abc', 'expected a number greater than 0 and at most 100000 (default 10)'],
    ['PRODUCER_RATE', '0', 'expected a number greater than 0 and at most 100000 (default 10)'],
    ['PRODUCER_RATE', '1e3', 'expected a number greater than 0 and at most 100000 (default 10)'],
    ['PRODUCER_MAX_ORDERS', '-1', 'expected an integer from 0 to 9007199254740991 (default 0)'],
    ['MOCK_SEED', '4.2', 'expected an integer from 0 to 2147483647 (default 42)'],
    ['DB_POOL_SIZE', '0x10', 'expected an integer from 1 to 500 (default 10)'],
    ['HTTP_PORT', '70000', 'expected a TCP port from 0 to 65535, 0 meaning any free port'],
    [
      'KAFKA_BROKERS',
      'localhost',
      'expected a comma-separated list of host:port (e.g. localhost:9092) (default localhost:9092)',
    ],
    [
      'KAFKA_BROKERS',
      'a:9092,b:99999',
      'expected a comma-separated list of host:port (e.g. localhost:9092) (default localhost:9092)',
    ],
    [
      'KAFKA_BROKERS',
      ',',
      'expected a comma-separated list of host:port (e.g. localhost:9092) (default localhost:9092)',
    ],
    [
      'KAFKA_TOPIC_ORDERS',
      'food orders',
      'expected a Kafka topic name of 1-249 characters from [a-zA-Z0-9._-] (default food-orders)',
    ],
    ['LOG_LEVEL', 'loud', 'expected one of fatal, error, warn, info, debug, trace, silent (default info)'],
    ['CONSUMER_BATCH_MAX', '20000', 'expected an integer from 1 to 10000 (default 1000)'],
    ['STARTUP_WAIT_S', 'soon', 'expected an integer from 0 to 3600 (default 60)'],
    // More in sync than there are replicas could never acknowledge a write.
    ['KAFKA_MIN_INSYNC_REPLICAS', '2', 'expected an integer from 1 to KAFKA_REPLICATION_FACTOR'],
    ['KAFKA_MIN_INSYNC_REPLICAS', '0', 'expected an integer from 1 to KAFKA_REPLICATION_FACTOR'],
  ])('names %s and what it accepts when it is %j', (name, value, expected) => {
    expect(issuesOf({ [name]: value })).toEqual([`${name}=${JSON.stringify(value)} is invalid: ${expected}`]);
  });

  it.each(['mysql://app:s3cret@db/orders', 'postgres://app:s3cret@db', 'not a url s3cret'])(
    'never echoes a malformed DATABASE_URL, which may carry a password (%s)',
    (url) => {
      const issues = issuesOf({ DATABASE_URL: url });
      expect(issues).toEqual([
        'DATABASE_URL is invalid: expected postgres://user:password@host:port/database',
      ]);
      expect(issues.join()).not.toContain('s3cret');
    },
  );

  it('accepts the URLs the project documents', () => {
    for (const url of [
      'postgres://postgres:postgres@localhost:5432/orders',
      'postgresql://app@postgres/orders?sslmode=require',
      'postgres://app:p%40ss@db_host:6543/food_orders',
    ]) {
      expect(issuesOf({ DATABASE_URL: url })).toEqual([]);
    }
  });

  it('reports every bad variable at once, in one error', () => {
    const read = () => withEnv({ PRODUCER_RATE: 'fast', MOCK_SEED: 'x' }, () => producerConfig());
    expect(read).toThrow(ConfigError);
    expect(() => read()).toThrow(/PRODUCER_RATE[\s\S]*MOCK_SEED/);
  });

  it.each([
    [{}, 1, 1],
    [{ KAFKA_REPLICATION_FACTOR: '2' }, 2, 1],
    [{ KAFKA_REPLICATION_FACTOR: '3' }, 3, 2],
    [{ KAFKA_REPLICATION_FACTOR: '5' }, 5, 2],
    [{ KAFKA_REPLICATION_FACTOR: '3', KAFKA_MIN_INSYNC_REPLICAS: '3' }, 3, 3],
  ])('derives min.insync.replicas from the replication factor unless given (%j)', (env, factor, minIsr) => {
    withEnv(env, () => {
      expect(kafkaConfig()).toMatchObject({ replicationFactor: factor, minInsyncReplicas: minIsr });
    });
  });
});
