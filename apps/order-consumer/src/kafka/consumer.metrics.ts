import { DLQ_REASONS } from '@app/dlq';
import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

@Injectable()
export class ConsumerMetrics {
  readonly consumed: Counter;
  readonly stored: Counter;
  readonly duplicates: Counter;
  readonly deadLettered: Counter<'reason'>;
  readonly retries: Counter;
  readonly processingDuration: Histogram;
  readonly endToEndLatency: Histogram;
  readonly lag: Gauge<'topic' | 'partition'>;
  readonly batchSize: Histogram;

  constructor(registry: Registry) {
    const registers = [registry];
    this.consumed = new Counter({
      name: 'orders_consumed_total',
      help: 'Records committed with a final outcome (stored, duplicate or dead-lettered)',
      registers,
    });
    this.stored = new Counter({
      name: 'orders_stored_total',
      help: 'Orders written to PostgreSQL',
      registers,
    });
    this.duplicates = new Counter({
      name: 'orders_duplicate_total',
      help: 'Redelivered orders already stored (no-ops)',
      registers,
    });
    this.deadLettered = new Counter({
      name: 'orders_dead_lettered_total',
      help: 'Records written to the dead-letter topic, by x-dlq-reason',
      labelNames: ['reason'],
      registers,
    });
    // Every reason's series exists from the start: rate() and increase() miss a series' first sample.
    for (const reason of DLQ_REASONS) this.deadLettered.inc({ reason }, 0);
    this.retries = new Counter({
      name: 'orders_processing_retries_total',
      help: 'Batches held back for a retry (the database or the DLQ unusable, or an unexplained failure)',
      registers,
    });
    this.processingDuration = new Histogram({
      name: 'orders_processing_duration_seconds',
      help: "From handing a record's batch to the handler (first try) to the batch's commit, per record",
      buckets: SECONDS,
      registers,
    });
    this.endToEndLatency = new Histogram({
      name: 'orders_end_to_end_latency_seconds',
      help: "From the order's created_at to the commit of its batch's offset, per stored order",
      buckets: SECONDS,
      registers,
    });
    this.batchSize = new Histogram({
      name: 'orders_batch_size',
      help: 'Records per handled batch: 1 while the consumer keeps up, larger while it catches up',
      buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000],
      registers,
    });
    this.lag = new Gauge({
      name: 'orders_consumer_lag',
      help: "Log-end offset minus the group's committed offset, per partition",
      labelNames: ['topic', 'partition'],
      registers,
    });
  }
}
