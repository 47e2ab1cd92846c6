import { BatchOutcome } from '@app/dlq';
import { PinoLogger } from 'nestjs-pino';
import { Registry } from 'prom-client';
import { ConsumerTelemetry } from './consumer-telemetry';
import { ConsumerMetrics } from './consumer.metrics';

function telemetry() {
  const registry = new Registry();
  const info = jest.fn();
  const logger = { info } as unknown as PinoLogger;
  return { telemetry: new ConsumerTelemetry(logger, new ConsumerMetrics(registry)), registry, info };
}

/** One series' value as /metrics shows it, e.g. `orders_dead_lettered_total{reason="poison"}`. */
async function valueOf(registry: Registry, series: string): Promise<number | undefined> {
  const line = (await registry.metrics()).split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

describe(ConsumerTelemetry.name, () => {
  it('counts a committed batch: its records, what became of each, and the stored orders’ end-to-end latency', async () => {
    const { telemetry: t, registry, info } = telemetry();
    const result: BatchOutcome = {
      stored: [Date.now() - 40, Date.now() - 20],
      duplicates: 1,
      deadLettered: { poison: 1 },
    };
    t.committed({ topic: 'food-orders', partition: 0, records: 4, result, durationMs: 12 });

    expect(t.totals).toMatchObject({ stored: 2, duplicate: 1, poison: 1, invalid: 0, retries: 0 });
    expect(await valueOf(registry, 'orders_consumed_total')).toBe(4);
    expect(await valueOf(registry, 'orders_dead_lettered_total{reason="poison"}')).toBe(1);
    expect(await valueOf(registry, 'orders_end_to_end_latency_seconds_count')).toBe(2);
    expect(await valueOf(registry, 'orders_processing_duration_seconds_count')).toBe(4);
    t.report();
    expect(info).toHaveBeenCalledWith(
      expect.objectContaining({ stored: 2, duplicates: 1, dead_lettered: 1, batches: 1, batch_max: 4 }),
      'processing',
    );
  });

  it('counts a batch held back as a retry, and logs nothing while there is no traffic', async () => {
    const { telemetry: t, registry, info } = telemetry();
    t.report();
    expect(info).not.toHaveBeenCalled();
    t.holding();
    expect(t.totals.retries).toBe(1);
    expect(await valueOf(registry, 'orders_processing_retries_total')).toBe(1);
  });
});
