import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killSpawnedApps, spawnBuiltApp } from './support/apps';
import { caughtUp, createTopics, E2eContext, setUpE2e } from './support/e2e-context';
import { produceRaw } from './support/kafka-helpers';
import { asRecord, countOrders, generateOrders } from './support/orders';

describe('settings from a .env file', () => {
  let ctx: E2eContext;
  let dir: string;

  beforeAll(async () => {
    ctx = await setUpE2e('dotenv');
    dir = mkdtempSync(join(tmpdir(), 'food-orders-dotenv-'));
  });

  afterAll(async () => {
    await killSpawnedApps();
    rmSync(dir, { recursive: true, force: true });
    await ctx?.close();
  });

  it('rename the topic the consumer reads, as they do for every other part', async () => {
    // Nothing in the environment but PATH: every setting, the orders topic included, comes from .env.
    const settings = { ...ctx.env, LOG_LEVEL: 'info' };
    writeFileSync(
      join(dir, '.env'),
      Object.entries(settings)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n'),
    );
    await createTopics(ctx);
    const consumer = spawnBuiltApp('order-consumer', {}, [], dir);

    await produceRaw(ctx.kafka, ctx.topics.orders, generateOrders(5, 41).map(asRecord));
    await caughtUp(ctx);
    expect(await countOrders(ctx.db)).toBe(5);
    const joined = consumer.output.find((line) => line.includes('joined consumer group'));
    expect(joined).toContain(ctx.topics.orders);
    consumer.child.kill('SIGTERM');
    expect((await consumer.exited).code).toBe(0);
  });

  it('stop start-up with one line per bad variable, the environment winning over the file', async () => {
    writeFileSync(join(dir, '.env'), 'PRODUCER_RATE=0\nKAFKA_BROKERS=localhost\nMOCK_SEED=7\n');
    const producer = spawnBuiltApp('order-producer', { MOCK_SEED: 'seven' }, [], dir);
    const { code } = await producer.exited;

    expect(code).toBe(1);
    // Every line is JSON, one per variable, and nothing else (no stack trace, no Nest banner).
    const reasons = producer.output.map((line) => JSON.parse(line) as { msg: string; reason: string });
    expect(reasons.every((line) => line.msg === 'configuration error')).toBe(true);
    expect(reasons.map((line) => line.reason)).toEqual([
      'KAFKA_BROKERS="localhost" is invalid: expected a comma-separated list of host:port (e.g. localhost:9092) (default localhost:9092)',
      'PRODUCER_RATE="0" is invalid: expected a number greater than 0 and at most 100000 (default 10)',
      'MOCK_SEED="seven" is invalid: expected an integer from 0 to 2147483647 (default 42)',
    ]);
  });
});
