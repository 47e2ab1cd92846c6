import { DlqHeader } from '@app/dlq';
import { topicSpecs } from '@app/kafka';
import request from 'supertest';
import { RunningConsumer, startConsumer } from '../support/apps';
import { checkDelivery } from '../support/delivery-checker';
import { caughtUp, E2eContext, setUpE2e } from '../support/e2e-context';
import { eventually } from '../support/eventually';
import { committedOffsets, endOffsets, produceRaw, readAll, withAdmin } from '../support/kafka-helpers';
import { asRecord, generateOrders } from '../support/orders';

const OUTAGE_MS = 60_000;

describe('fault: the dead-letter topic is gone for 60 s while a poison record waits', () => {
  let ctx: E2eContext;
  let consumer: RunningConsumer;

  beforeAll(async () => {
    ctx = await setUpE2e('dlq_outage');
    consumer = await startConsumer();
  });

  afterAll(async () => {
    await consumer?.close();
    await ctx?.close();
  });

  it('holds the poison partition uncommitted, keeps the others moving, and dead-letters the record exactly once', async () => {
    await withAdmin(ctx.kafka, (admin) => admin.deleteTopics({ topics: [ctx.topics.dlq] }));
    const goneAt = Date.now();
    const orders = generateOrders(300, 31);
    const key = orders[0].customer_id;
    await produceRaw(ctx.kafka, ctx.topics.orders, [{ key, value: 'not json, and nowhere to go' }]);
    const poison = (await readAll(ctx.kafka, ctx.topics.orders))[0];
    await produceRaw(ctx.kafka, ctx.topics.orders, orders.map(asRecord));
    const ends = await endOffsets(ctx.kafka, ctx.topics.orders);
    const others = [...ends.keys()].filter((p) => p !== poison.partition);

    await eventually('the other partitions to be committed to their end', async () => {
      const committed = await committedOffsets(ctx.kafka, ctx.group, ctx.topics.orders);
      return others.every((p) => committed.get(p) === ends.get(p));
    });
    const ready = await request(consumer.url).get('/health/ready');
    expect(ready.status).toBe(503);
    expect(JSON.stringify(ready.body)).toContain('waiting for dead-letter topic');

    await eventually('the outage to last 60 s', () => Date.now() - goneAt >= OUTAGE_MS, {
      timeoutMs: OUTAGE_MS + 5_000,
      intervalMs: 1_000,
    });
    // Nothing at or after the poison record was committed while its dead letter could not be written.
    const held = (await committedOffsets(ctx.kafka, ctx.group, ctx.topics.orders)).get(poison.partition)!;
    expect(held).toBeLessThanOrEqual(BigInt(poison.offset));

    const [dlqSpec] = topicSpecs({
      brokers: [ctx.brokers],
      topics: ctx.topics,
      ordersPartitions: 3,
      dlqPartitions: 1,
      replicationFactor: 1,
      minInsyncReplicas: 1,
    }).filter((spec) => spec.topic === ctx.topics.dlq);
    await withAdmin(ctx.kafka, (admin) => admin.createTopics({ topics: [dlqSpec], waitForLeaders: true }));
    await caughtUp(ctx);
    await eventually(
      'readiness to recover',
      async () => (await request(consumer.url).get('/health/ready')).status === 200,
    );

    const letters = await readAll(ctx.kafka, ctx.topics.dlq);
    expect(letters.map((l) => [l.headers[DlqHeader.OriginalOffset], l.headers[DlqHeader.Reason]])).toEqual([
      [poison.offset, 'poison'],
    ]);
    const report = await checkDelivery(ctx, 'dlq-outage');
    expect(report.problems).toEqual([]);
    expect(report.stored).toBe(300);
  });
});
