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
});
