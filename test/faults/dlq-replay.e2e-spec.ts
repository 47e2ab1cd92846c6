import { DlqHeader, replayDeadLetters, ReplayOptions } from '@app/dlq';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../../tools/lib/paths';
import { RunningConsumer, startConsumer } from '../support/apps';
import { caughtUp, E2eContext, setUpE2e } from '../support/e2e-context';
import { endOffsets, produceRaw, readAll, withAdmin } from '../support/kafka-helpers';
import { asRecord, expectedRow, generateOrders, storedOrders } from '../support/orders';

describe('fault: fix and replay the DLQ', () => {
  let ctx: E2eContext;
  let consumer: RunningConsumer;
  let options: ReplayOptions;

  beforeAll(async () => {
    ctx = await setUpE2e('replay');
    consumer = await startConsumer();
    options = {
      dlqTopic: ctx.topics.dlq,
      targetTopic: ctx.topics.orders,
      group: `${ctx.group}.dlq-replay`,
      maxReplays: 1,
    };
  });

  afterAll(async () => {
    await consumer?.close();
    await ctx?.close();
  });

  // Records, not offsets: dead letters are written in transactions, whose markers take offsets too.
  const dlqSize = async () => BigInt((await readAll(ctx.kafka, ctx.topics.dlq)).length);

  it('stores a conflicting duplicate replayed after its row was removed, and parks a record that keeps failing', async () => {
    const [order] = generateOrders(1, 21);
    const changed = { ...order, status: 'cancelled' as const };
    await produceRaw(ctx.kafka, ctx.topics.orders, [
      asRecord(order),
      asRecord(changed),
      { key: order.customer_id, value: 'still not json' },
    ]);
    await caughtUp(ctx);
    expect(await dlqSize()).toBe(2n);

    // A dry run lists and changes nothing.
    const endsBefore = await endOffsets(ctx.kafka, ctx.topics.orders);
    const listed = await replayDeadLetters(ctx.kafka, { ...options, dryRun: true });
    expect(listed.map((r) => [r.reason, r.action])).toEqual([
      ['conflicting-duplicate', 'would-replay'],
      ['poison', 'would-replay'],
    ]);
    expect(await endOffsets(ctx.kafka, ctx.topics.orders)).toEqual(endsBefore);

    // The fix: the stored version was wrong; remove it and replay the conflicting one.
    await ctx.db.query('DELETE FROM orders WHERE order_id = $1', [order.order_id]);
    const replayed = await replayDeadLetters(ctx.kafka, { ...options, reasons: ['conflicting-duplicate'] });
    expect(replayed.map((r) => r.action)).toEqual(['replayed', 'filtered']);
    await caughtUp(ctx);
    expect(await storedOrders(ctx.db)).toEqual([expectedRow(changed)]);
    const [, , , replayCopy] = await readAll(ctx.kafka, ctx.topics.orders).then((records) =>
      records.sort((a, b) => Number(a.offset) - Number(b.offset)),
    );
    expect(replayCopy.headers[DlqHeader.Replays]).toBe('1');

    // The poison record: replayed once, dead-lettered again with its replay count, then parked.
    const first = await replayDeadLetters(ctx.kafka, { ...options, reasons: ['poison'], fromOffset: 1n });
    expect(first.map((r) => r.action)).toEqual(['replayed']);
    await caughtUp(ctx);
    expect(await dlqSize()).toBe(3n);
    const letters = await readAll(ctx.kafka, ctx.topics.dlq);
    expect(letters.map((l) => l.headers[DlqHeader.Replays] ?? '0').sort()).toEqual(['0', '0', '1']);

    const second = await replayDeadLetters(ctx.kafka, { ...options, reasons: ['poison'] });
    expect(second.map((r) => [r.replays, r.action])).toEqual([[1, 'parked']]);
    await caughtUp(ctx);
    expect(await dlqSize()).toBe(3n);
    process.stdout.write(`[dlq-replay] replayed=2 stored-after-fix=1 parked=1 dlq=${await dlqSize()}\n`);
  });

  it('is an npm command: npm run dlq:replay -- --dry-run lists the DLQ', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '-r',
        'ts-node/register',
        join('tools', 'dlq-replay.ts'),
        '--dry-run',
        '--from-offset',
        '0',
        '--max-replays',
        '1',
      ],
      { cwd: ROOT, env: { ...process.env, ...ctx.env } },
    );
    expect(stdout).toMatch(/conflicting-duplicate\s+\d\s+would-replay/);
    expect(stdout).toMatch(/poison\s+1\s+parked/);
    expect(stdout).toMatch(/^dry run: would-replay 2, parked 1$/m);
    // The dry run's throwaway group goes with it.
    const { groups } = await withAdmin(ctx.kafka, (admin) => admin.listGroups());
    expect(groups.map((g) => g.groupId).filter((id) => id.startsWith(`${options.group}.dry-run-`))).toEqual(
      [],
    );
  });
});
