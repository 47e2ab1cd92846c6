import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { parse } from 'yaml';
import { killSpawnedApps, spawnBuiltApp } from './support/apps';
import { E2eContext, setUpE2e } from './support/e2e-context';
import { eventually } from './support/eventually';
import { countOrders, MIGRATION_NAMES } from './support/orders';
import { ROOT } from '../tools/lib/paths';

/** A compose service's environment with ${VAR:-default} resolved to its default, as a fresh checkout has it. */
function composeEnvironment(service: string): Record<string, string> {
  const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, { environment: Record<string, string | number> }>;
  };
  return Object.fromEntries(
    Object.entries(compose.services[service].environment).map(([name, value]) => [
      name,
      String(value).replace(/\$\{(\w+):-([^}]*)\}/g, (_, _name: string, fallback: string) => fallback),
    ]),
  );
}

describe('the built apps with the environment docker-compose.yml gives them', () => {
  let ctx: E2eContext;

  beforeAll(async () => {
    ctx = await setUpE2e('compose_env');
    // What the image runs is the webpack build, not the TypeScript sources.
    execFileSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'ignore' });
  });

  afterAll(async () => {
    await killSpawnedApps();
    await ctx?.close();
  });

  it('migrate, then consumer and producer become ready and orders flow', async () => {
    // Only what points at the compose network is swapped for this machine's services (and the
    // topics, group and port, so the test shares nothing with anything else).
    const local = {
      KAFKA_BROKERS: ctx.brokers,
      DATABASE_URL: ctx.databaseUrl,
      KAFKA_TOPIC_ORDERS: ctx.topics.orders,
      KAFKA_TOPIC_DLQ: ctx.topics.dlq,
      HTTP_PORT: '0',
    };
    const consumerEnv = {
      ...composeEnvironment('order-consumer'),
      ...local,
      KAFKA_CONSUMER_GROUP: ctx.group,
    };
    const producerEnv = { ...composeEnvironment('order-producer'), ...local };
    expect(Object.keys(consumerEnv)).toEqual(
      expect.arrayContaining(['DB_POOL_SIZE', 'CONSUMER_CONCURRENCY', 'LOG_FORMAT']),
    );
    expect(producerEnv).toMatchObject({ PRODUCER_RATE: '10', MOCK_SEED: '42' });

    const migrate = spawnBuiltApp(
      'order-consumer',
      { ...composeEnvironment('migrate'), DATABASE_URL: ctx.databaseUrl },
      ['migrate'],
    );
    expect((await migrate.exited).code).toBe(0);
    const { rows } = await ctx.db.query<{ name: string }>('SELECT name FROM migrations');
    expect(rows.map((r) => r.name)).toEqual(MIGRATION_NAMES);

    const consumer = spawnBuiltApp('order-consumer', consumerEnv);
    const producer = spawnBuiltApp('order-producer', producerEnv);
    const ready = async (port: number) =>
      (await request(`http://127.0.0.1:${port}`).get('/health/ready')).status === 200;
    const [consumerPort, producerPort] = await Promise.all([consumer.httpPort(), producer.httpPort()]);
    await eventually('the consumer to be ready', () => ready(consumerPort));
    await eventually('the producer to be ready', () => ready(producerPort));
    await eventually('orders to be stored', async () => (await countOrders(ctx.db)) >= 10);

    consumer.child.kill('SIGTERM');
    producer.child.kill('SIGTERM');
    expect((await consumer.exited).code).toBe(0);
    expect((await producer.exited).code).toBe(0);
  });
});
