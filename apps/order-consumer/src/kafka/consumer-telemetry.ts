import { BatchOutcome, DLQ_REASONS, DlqReason } from '@app/dlq';
import { CommittedBatch, KafkaBatchObserver } from '@app/kafka';
import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { ConsumerMetrics } from './consumer.metrics';

export const STATS_EVERY_MS = 5_000;

type Totals = Record<'stored' | 'duplicate' | DlqReason | 'retries', number>;

/**
 * What the consumer reports about its work, in one place and only once a batch is committed: the
 * Prometheus metrics, and a log line every few seconds while there is traffic. The transport tells
 * it about committed batches and about batches held back for a retry.
 */
@Injectable()
export class ConsumerTelemetry implements KafkaBatchObserver, OnApplicationShutdown {
  /** Records stored, redelivered duplicates, dead-lettered by reason, and batch retries since start. */
  readonly totals: Totals = {
    stored: 0,
    duplicate: 0,
    ...(Object.fromEntries(DLQ_REASONS.map((reason) => [reason, 0])) as Record<DlqReason, number>),
    retries: 0,
  };
  private window = { count: 0, latencySum: 0, latencyMax: 0, batches: 0, batchMax: 0 };
  private reported = { ...this.totals };

  constructor(
    @InjectPinoLogger(ConsumerTelemetry.name) private readonly logger: PinoLogger,
    private readonly metrics: ConsumerMetrics,
  ) {}

  onApplicationShutdown(): void {
    this.report();
  }

  committed({ records, result, durationMs }: CommittedBatch): void {
    const { stored, duplicates, deadLettered } = result as BatchOutcome;
    const now = Date.now();
    this.metrics.batchSize.observe(records);
    this.metrics.consumed.inc(records);
    // Every record of the batch waited as long as the batch did.
    for (let i = 0; i < records; i += 1) this.metrics.processingDuration.observe(durationMs / 1000);
    this.metrics.stored.inc(stored.length);
    this.metrics.duplicates.inc(duplicates);
    this.totals.stored += stored.length;
    this.totals.duplicate += duplicates;
    for (const [reason, count] of Object.entries(deadLettered) as Array<[DlqReason, number]>) {
      this.metrics.deadLettered.inc({ reason }, count);
      this.totals[reason] += count;
    }
    for (const createdAt of stored) {
      const latency = now - createdAt;
      this.metrics.endToEndLatency.observe(latency / 1000);
      this.window.count += 1;
      this.window.latencySum += latency;
      this.window.latencyMax = Math.max(this.window.latencyMax, latency);
    }
    this.window.batches += 1;
    this.window.batchMax = Math.max(this.window.batchMax, records);
  }

  holding(): void {
    this.metrics.retries.inc();
    this.totals.retries += 1;
  }

  @Interval(STATS_EVERY_MS)
  report(): void {
    const delta = (key: keyof Totals) => this.totals[key] - this.reported[key];
    const failed = DLQ_REASONS.reduce((sum, reason) => sum + delta(reason), 0);
    if (delta('stored') + delta('duplicate') + failed + delta('retries') === 0) return;
    const { count, latencySum, latencyMax, batches, batchMax } = this.window;
    this.logger.info(
      {
        stored: delta('stored'),
        duplicates: delta('duplicate'),
        dead_lettered: failed,
        retries: delta('retries'),
        batches,
        batch_max: batchMax,
        latency_ms_avg: count ? Math.round(latencySum / count) : null,
        latency_ms_max: count ? latencyMax : null,
        total_stored: this.totals.stored,
      },
      'processing',
    );
    this.reported = { ...this.totals };
    this.window = { count: 0, latencySum: 0, latencyMax: 0, batches: 0, batchMax: 0 };
  }
}
