import { DlqHeader } from '@app/dlq';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { RunningConsumer, startConsumer } from './support/apps';
import { caughtUp, E2eContext, setUpE2e } from './support/e2e-context';
import { readAll } from './support/kafka-helpers';
import { countOrders } from './support/orders';
import { ROOT } from '../tools/lib/paths';

describe('npm run send -- <kind>: one record to watch', () => {
  let ctx: E2eContext;
  let consumer: RunningConsumer;

  beforeAll(async () => {
    ctx = await setUpE2e('send');
    consumer = await startConsumer();
  });

  afterAll(async () => {
    await consumer?.close();
    await ctx?.close();
  });

  const send = (kind: string) =>
    execFileSync(process.execPath, ['-r', 'ts-node/register', join('tools', 'send.ts'), kind], {
      cwd: ROOT,
      env: { ...process.env, ...ctx.env, TS_NODE_TRANSPILE_ONLY: 'true' },
      encoding: 'utf8',
    });

  it('sends an order to the table, and each bad kind to the DLQ with its reason', async () => {
    const said = ['order', 'poison', 'invalid', 'conflicting-duplicate'].map(send);
    process.stdout.write(`[send] ${said.join('[send] ')}`);
    await caughtUp(ctx);

    expect(await countOrders(ctx.db)).toBe(2); // the order, and the first of the duplicates
    const reasons = (await readAll(ctx.kafka, ctx.topics.dlq)).map((r) => r.headers[DlqHeader.Reason]).sort();
    expect(reasons).toEqual(['conflicting-duplicate', 'invalid', 'poison']);
    expect(said[0]).toMatch(/^sent to .+ partition \d: order ORD-\S+: a new row\n$/);
  });
});
