import { DlqHeader } from '@app/dlq';
import request from 'supertest';
import { RunningConsumer, startConsumer, startProducer } from './support/apps';
import { caughtUp, E2eContext, setUpE2e } from './support/e2e-context';
import { eventually } from './support/eventually';
import { produceRaw, readAll } from './support/kafka-helpers';
import { countOrders } from './support/orders';

/** Samples of a Prometheus text exposition, keyed by `name{labels}`. */
function parseMetrics(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

describe('/metrics', () => {
  let ctx: E2eContext;
  let consumer: RunningConsumer;

  beforeAll(async () => {
    ctx = await setUpE2e('metrics');
    consumer = await startConsumer();
  });

  afterAll(async () => {
    await consumer?.close();
    await ctx?.close();
  });

  it('counts what the database and the DLQ hold after a run', async () => {
    const producer = await startProducer({ PRODUCER_MAX_ORDERS: '60', PRODUCER_RATE: '200' });
    await producer.finished;
    const produced = parseMetrics((await request(producer.url).get('/metrics').expect(200)).text);
    await producer.close();
    await produceRaw(ctx.kafka, ctx.topics.orders, [
      { key: 'CUST-00001', value: 'garbage' },
      { key: 'CUST-00001', value: '{"order_id":"ORD-X"}' },
      { key: 'CUST-00001', value: '' },
    ]);
    await caughtUp(ctx);

    const dlq = await readAll(ctx.kafka, ctx.topics.dlq);
    const byReason = (reason: string) => dlq.filter((l) => l.headers[DlqHeader.Reason] === reason).length;
    const rows = await countOrders(ctx.db);
    const scrape = async () => parseMetrics((await request(consumer.url).get('/metrics').expect(200)).text);
    // The lag gauge is refreshed every few seconds; wait for a refresh after the last commit.
    const consumed = await eventually('the lag gauge to reach 0', async () => {
      const m = await scrape();
      const lags = [0, 1, 2].map((p) =>
        m.get(`orders_consumer_lag{topic="${ctx.topics.orders}",partition="${p}"}`),
      );
      return lags.every((lag) => lag === 0) ? m : undefined;
    });

    expect(produced.get('orders_produced_total')).toBe(60);
    expect(produced.get('orders_produce_errors_total')).toBe(0);
    expect(consumed.get('orders_stored_total')).toBe(rows);
    expect(rows).toBe(60);
    expect(consumed.get('orders_duplicate_total')).toBe(0);
    expect(consumed.get('orders_dead_lettered_total{reason="poison"}')).toBe(byReason('poison'));
    expect(consumed.get('orders_dead_lettered_total{reason="invalid"}')).toBe(byReason('invalid'));
    expect(byReason('poison') + byReason('invalid')).toBe(3);
    expect(consumed.get('orders_consumed_total')).toBe(63);
    expect(consumed.get('orders_processing_duration_seconds_count')).toBe(63);
    expect(consumed.get('orders_end_to_end_latency_seconds_count')).toBe(60);
    const shown = [...consumed].filter(([k]) => k.startsWith('orders_') && !k.includes('_bucket'));
    process.stdout.write(
      `[metrics] rows=${rows} dlq=${dlq.length} (poison=${byReason('poison')} invalid=${byReason('invalid')})\n` +
        `orders_produced_total ${produced.get('orders_produced_total')}\n` +
        shown.map(([k, v]) => `${k} ${v}`).join('\n') +
        '\n',
    );
  });
});
