import request from 'supertest';
import { RunningConsumer, startConsumer } from '../support/apps';
import { checkDelivery } from '../support/delivery-checker';
import { caughtUp, createTopics, E2eContext, setUpE2e } from '../support/e2e-context';
import { produceMany } from '../support/kafka-helpers';
import { asRecord, generateOrders } from '../support/orders';

/**
 * Work longer than the group session: batches that need many statements (a constraint refuses one
 * order, commits are slow) or smaller statements (the database became slow). The consumer must
 * stay a member throughout and drain the backlog, blaming only the refused order.
 */
describe('fault: a slow database and a batch that outlives the session', () => {
  let ctx: E2eContext;
  let consumer: RunningConsumer | undefined;
  let run = 0;

  beforeEach(async () => {
    run += 1;
    ctx = await setUpE2e(`slow_db_${run}`);
    await createTopics(ctx);
    // The first start applies the migrations; the faults are then built on the table.
    await (await startConsumer()).close();
  });

  afterEach(async () => {
    await consumer?.close();
    consumer = undefined;
    await ctx?.close();
  });

  it('finds a refused order in a large batch by halves while every statement takes 80 ms: one dead letter, no group loss, lag 0', async () => {
    const orders = generateOrders(6_000, 15);
    const refused = orders[3_000];
    // A rule a DBA added that the order contract does not know, and statements slowed down as by
    // synchronous replication to a far standby.
    await ctx.db.query(
      `ALTER TABLE orders ADD CONSTRAINT dba_rule CHECK (order_id <> '${refused.order_id}')`,
    );
    await ctx.db.query(`CREATE FUNCTION slow_statement() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_sleep(0.08); RETURN NULL; END $$`);
    await ctx.db.query(
      'CREATE TRIGGER slow_statement BEFORE INSERT ON orders FOR EACH STATEMENT EXECUTE FUNCTION slow_statement()',
    );
    await produceMany(ctx.kafka, ctx.topics.orders, orders.map(asRecord));

    const startedAt = Date.now();
    consumer = await startConsumer();
    await caughtUp(ctx, 300_000);
    process.stdout.write(`[refused-in-a-slow-batch] drained 6,000 orders in ${Date.now() - startedAt} ms\n`);

    expect(consumer.state.history).toEqual({ joins: 1, crashes: 0 });
    expect((await request(consumer.url).get('/health/live')).status).toBe(200);
    const report = await checkDelivery(ctx, 'refused-in-a-slow-batch');
    expect(report.problems).toEqual([]);
    expect(report.deadLettered).toEqual({ invalid: 1 });
    expect(report.refusedByDatabase).toBe(1);
    expect(report.stored).toBe(5_999);
  });

  it('drains a backlog when a full batch no longer fits in statement_timeout (12 ms a row): 0 dead letters', async () => {
    await ctx.db.query(`CREATE FUNCTION slow_row() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_sleep(0.012); RETURN NEW; END $$`);
    await ctx.db.query(
      'CREATE TRIGGER slow_row BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION slow_row()',
    );
    await produceMany(ctx.kafka, ctx.topics.orders, generateOrders(3_000, 16).map(asRecord));

    const startedAt = Date.now();
    consumer = await startConsumer();
    await caughtUp(ctx, 300_000);
    process.stdout.write(`[slow-database] drained 3,000 orders in ${Date.now() - startedAt} ms\n`);

    expect(consumer.state.history).toEqual({ joins: 1, crashes: 0 });
    const report = await checkDelivery(ctx, 'slow-database');
    expect(report.problems).toEqual([]);
    expect(report.deadLettered).toEqual({});
    expect(report.stored).toBe(3_000);
  });
});
