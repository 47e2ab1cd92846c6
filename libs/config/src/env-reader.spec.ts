import { configIssues } from './validate-config';
import { consumerConfig } from './consumer.config';
import { databaseConfig } from './database.config';
import { ConfigError, EnvReader } from './env-reader';
import { producerHttpConfig } from './http.config';
import { kafkaConfig } from './kafka.config';
import { logConfig } from './log.config';
import { producerConfig } from './producer.config';

function withEnv<T>(env: Record<string, string>, read: () => T): T {
  const saved = process.env;
  process.env = { ...env };
  try {
    return read();
  } finally {
    process.env = saved;
  }
}

describe(EnvReader.name, () => {
  it('gives the documented defaults when nothing is set', () => {
    withEnv({}, () => {
      expect(kafkaConfig()).toEqual({
        brokers: ['localhost:9092'],
        topics: { orders: 'food-orders', dlq: 'food-orders.dlq' },
        ordersPartitions: 3,
        dlqPartitions: 1,
        replicationFactor: 1,
      });
      expect(producerConfig()).toEqual({ ratePerSecond: 10, maxOrders: 0, durationSeconds: 0, seed: 42 });
      expect(consumerConfig()).toEqual({ groupId: 'order-processors', concurrency: 3, batchMax: 1000 });
      expect(databaseConfig()).toEqual({
        url: 'postgres://postgres:postgres@localhost:5432/orders',
        poolSize: 10,
      });
      expect(producerHttpConfig()).toEqual({ port: 3001 });
      expect(logConfig()).toEqual({ level: 'info', format: 'json' });
    });
  });

  it('reads every variable that is set', () => {
    const env = {
      KAFKA_BROKERS: 'kafka-1:9092, kafka-2:9092',
      KAFKA_TOPIC_ORDERS: 'orders.v1',
      PRODUCER_RATE: '2.5',
      PRODUCER_MAX_ORDERS: '100',
      DB_POOL_SIZE: '4',
      LOG_FORMAT: 'pretty',
    };
    withEnv(env, () => {
      expect(kafkaConfig().brokers).toEqual(['kafka-1:9092', 'kafka-2:9092']);
      expect(kafkaConfig().topics.orders).toBe('orders.v1');
      expect(producerConfig()).toMatchObject({ ratePerSecond: 2.5, maxOrders: 100 });
      expect(databaseConfig().poolSize).toBe(4);
      expect(logConfig().format).toBe('pretty');
    });
  });

  it.each([
    [
      'PRODUCER_RATE',
      'abc',
      'PRODUCER_RATE="abc" is invalid: expected a number greater than 0 and at most 100000 (default 10)',
    ],
    [
      'PRODUCER_RATE',
      '0',
      'PRODUCER_RATE="0" is invalid: expected a number greater than 0 and at most 100000 (default 10)',
    ],
    [
      'PRODUCER_MAX_ORDERS',
      '-1',
      'PRODUCER_MAX_ORDERS="-1" is invalid: expected an integer from 0 to 9007199254740991 (default 0)',
    ],
    ['MOCK_SEED', '4.2', 'MOCK_SEED="4.2" is invalid: expected an integer from 0 to 2147483647 (default 42)'],
    [
      'HTTP_PORT',
      '70000',
      'HTTP_PORT="70000" is invalid: expected a TCP port from 0 to 65535, 0 meaning any free port (default 3001)',
    ],
    [
      'KAFKA_BROKERS',
      'localhost',
      'KAFKA_BROKERS="localhost" is invalid: expected a comma-separated list of host:port (e.g. localhost:9092)',
    ],
    [
      'KAFKA_TOPIC_ORDERS',
      'food orders',
      'KAFKA_TOPIC_ORDERS="food orders" is invalid: expected a Kafka topic name of 1-249 characters from [a-zA-Z0-9._-]',
    ],
    [
      'LOG_LEVEL',
      'loud',
      'LOG_LEVEL="loud" is invalid: expected one of fatal, error, warn, info, debug, trace, silent (default info)',
    ],
    ['DB_POOL_SIZE', '0', 'DB_POOL_SIZE="0" is invalid: expected an integer from 1 to 500 (default 10)'],
    [
      'CONSUMER_BATCH_MAX',
      '20000',
      'CONSUMER_BATCH_MAX="20000" is invalid: expected an integer from 1 to 10000 (default 1000)',
    ],
  ])('names %s and what it accepts when it is %j', (name, value, message) => {
    const issues = withEnv({ [name]: value }, () =>
      configIssues([
        kafkaConfig,
        producerConfig,
        producerHttpConfig,
        databaseConfig,
        logConfig,
        consumerConfig,
      ]),
    );
    expect(issues).toEqual([message]);
  });

  it('never echoes a malformed DATABASE_URL, which may carry a password', () => {
    const issues = withEnv({ DATABASE_URL: 'mysql://app:s3cret@db/orders' }, () =>
      configIssues([databaseConfig]),
    );
    expect(issues).toEqual(['DATABASE_URL is invalid: expected postgres://user:password@host:port/database']);
    expect(issues.join()).not.toContain('s3cret');
  });

  it('reports every bad variable of a namespace at once', () => {
    const read = () => withEnv({ PRODUCER_RATE: 'fast', MOCK_SEED: 'x' }, () => producerConfig());
    expect(read).toThrow(ConfigError);
    expect(() => read()).toThrow(/PRODUCER_RATE[\s\S]*MOCK_SEED/);
  });
});
