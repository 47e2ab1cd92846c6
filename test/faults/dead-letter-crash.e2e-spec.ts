import { join } from 'node:path';
import { ChildApp, killSpawnedApps, spawnApp } from '../support/apps';
import { checkDelivery } from '../support/delivery-checker';
import { caughtUp, createTopics, E2eContext, setUpE2e } from '../support/e2e-context';
import { eventually } from '../support/eventually';
import { produceMany, readAll } from '../support/kafka-helpers';
import { asRecord, generateOrders } from '../support/orders';

describe('fault: a consumer dies after its dead letters are durable and before its commit', () => {
  let ctx: E2eContext;

  beforeAll(async () => {
    ctx = await setUpE2e('dlq_crash');
    await createTopics(ctx);
  });

  afterAll(async () => {
    await killSpawnedApps();
    await ctx?.close();
  });

  it('shows each bad record once to a reader of the DLQ: the dead letters and the commit are one transaction', async () => {
    const valid = generateOrders(300, 33).map(asRecord);
    const records = valid.flatMap((record, i) => {
      if (i % 3 === 1) return [record, { key: record.key, value: `not json ${i}` }];
      if (i % 3 === 2)
        return [record, { key: record.key, value: JSON.stringify({ order_id: `ORD-BAD-${i}` }) }];
      return [record];
    });
    await produceMany(ctx.kafka, ctx.topics.orders, records);

    const doomed: ChildApp = spawnApp('order-consumer', ctx.env, [
      join(__dirname, '..', 'support', 'kill-at-commit.ts'),
    ]);
    const { signal } = await doomed.exited;
    expect(signal).toBe('SIGKILL');
    expect(doomed.output.join('\n')).toContain('killed before the transaction commit');
    // The dead letters of its last batch are in the log, in a transaction that never committed:
    // a read_uncommitted reader sees them (the broker's end offsets stop before an open transaction).
    const peek = ctx.kafka.consumer({ groupId: `peek-${ctx.group}`, readUncommitted: true });
    let uncommitted = 0;
    await peek.connect();
    await peek.subscribe({ topic: ctx.topics.dlq, fromBeginning: true });
    void peek.run({ eachMessage: () => Promise.resolve(void (uncommitted += 1)) });
    await eventually('its dead letters to be in the log', () => uncommitted > 0);
    await peek.disconnect();

    const killedAt = Date.now();
    spawnApp('order-consumer', ctx.env);
    await caughtUp(ctx, 180_000);
    process.stdout.write(
      `[dead-letter-crash] next owner caught up ${Date.now() - killedAt} ms after the kill\n`,
    );

    const report = await checkDelivery(ctx, 'dead-letter-crash');
    expect(report.problems).toEqual([]);
    expect(report.duplicates).toBe(0);
    expect(report.deadLettered).toEqual({ poison: 100, invalid: 100 });
    expect(report.stored).toBe(300);
    // Read as a read_uncommitted reader would, the aborted copies are there too: what the transaction hides.
    const everything = await readAll(ctx.kafka, ctx.topics.dlq, { readUncommitted: true });
    process.stdout.write(
      `[dead-letter-crash] DLQ: 200 committed dead letters, ${everything.length} records written in all\n`,
    );
    expect(everything.length).toBeGreaterThan(200);
  });
});
