import { ConfigResourceTypes } from 'kafkajs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { RunningConsumer, startConsumer } from '../support/apps';
import { checkDelivery } from '../support/delivery-checker';
import { caughtUp, createTopics, E2eContext, setUpE2e, TEST_LOGS } from '../support/e2e-context';
import { eventually } from '../support/eventually';
import { produceRaw, withAdmin } from '../support/kafka-helpers';
import { asRecord, generateOrders } from '../support/orders';

const DLQ_LIMIT = 4_096;

describe('fault: a dead-letter topic that cannot take the record (max.message.bytes below the orders topic)', () => {
  let ctx: E2eContext;
  let consumer: RunningConsumer;

  beforeAll(async () => {
    ctx = await setUpE2e('dlq_refuses');
    // The topics as an operator left them: the DLQ takes records of 4 KiB at most.
    await createTopics(ctx, (spec) =>
      spec.topic === ctx.topics.dlq
        ? { ...spec, configEntries: [{ name: 'max.message.bytes', value: String(DLQ_LIMIT) }] }
        : spec,
    );
    consumer = await startConsumer();
  });

  afterAll(async () => {
    await consumer?.close();
    await ctx?.close();
  });

  it('says so at start-up, holds the record naming the broker’s refusal, and delivers it once the topic is fixed', async () => {
    const log = readFileSync(join(TEST_LOGS, 'dlq_refuses.log'), 'utf8');
    expect(log).toMatch(/existing topics differ from the configuration.*could not be dead-lettered/);

    const orders = generateOrders(60, 41);
    await produceRaw(ctx.kafka, ctx.topics.orders, [
      { key: orders[0].customer_id, value: `not json ${'x'.repeat(3 * DLQ_LIMIT)}` },
      ...orders.map(asRecord),
    ]);
    const held = await eventually('readiness to name why the dead letter cannot be written', async () => {
      const res = await request(consumer.url).get('/health/ready');
      const text = JSON.stringify(res.body);
      return res.status === 503 && text.includes('dead-letter topic') ? text : undefined;
    });
    process.stdout.write(`[dlq-refuses] readiness: ${held.slice(0, 400)}\n`);
    expect(held).toMatch(/MESSAGE_TOO_LARGE|RECORD_LIST_TOO_LARGE|larger than/);

    await withAdmin(ctx.kafka, (admin) =>
      admin.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: ConfigResourceTypes.TOPIC,
            name: ctx.topics.dlq,
            configEntries: [{ name: 'max.message.bytes', value: String(4 * 1024 * 1024) }],
          },
        ],
      }),
    );
    await caughtUp(ctx);
    const report = await checkDelivery(ctx, 'dlq-refuses');
    expect(report.problems).toEqual([]);
    expect(report.deadLettered).toEqual({ poison: 1 });
    expect(report.stored).toBe(60);
  });
});
