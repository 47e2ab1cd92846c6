import { DeliveryMonitor, DeliveryOutcome } from '@app/dlq';
import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { ConsumerMetrics } from './consumer.metrics';

export const STATS_EVERY_MS = 5_000;

/**
 * Where the dead-letter interceptor's reports end: counted for tests and for a log line every few
 * seconds while there is traffic, and passed on to the Prometheus metrics.
 */
@Injectable()
export class ProcessingStats extends DeliveryMonitor implements OnApplicationShutdown {
  /** Records stored, redelivered duplicates, dead-lettered by reason, and retries ('transient'). */
  readonly totals: Record<DeliveryOutcome, number> = {
    stored: 0,
    duplicate: 0,
    poison: 0,
    invalid: 0,
    'conflicting-duplicate': 0,
    unexpected: 0,
    transient: 0,
  };
  private window = { count: 0, latencySum: 0, latencyMax: 0, batches: 0, batchMax: 0 };
  private reported = { ...this.totals };

  constructor(
    @InjectPinoLogger(ProcessingStats.name) private readonly logger: PinoLogger,
    private readonly metrics: ConsumerMetrics,
  ) {
    super();
  }

  onApplicationShutdown(): void {
    this.report();
  }

  batchDone(records: number): void {
    this.metrics.batchSize.observe(records);
    this.window.batches += 1;
    this.window.batchMax = Math.max(this.window.batchMax, records);
  }

  delivered(outcome: DeliveryOutcome, details: { createdAt?: Date; durationMs?: number } = {}): void {
    const { createdAt } = details;
    this.totals[outcome] += 1;
    this.metrics.record(outcome, details);
    if (outcome === 'stored' && createdAt) {
      const latency = Date.now() - createdAt.getTime();
      this.window.count += 1;
      this.window.latencySum += latency;
      this.window.latencyMax = Math.max(this.window.latencyMax, latency);
    }
  }

  @Interval(STATS_EVERY_MS)
  report(): void {
    const delta = (key: keyof typeof this.totals) => this.totals[key] - this.reported[key];
    const failed = delta('poison') + delta('invalid') + delta('conflicting-duplicate') + delta('unexpected');
    if (delta('stored') + delta('duplicate') + failed + delta('transient') === 0) return;
    const { count, latencySum, latencyMax, batches, batchMax } = this.window;
    this.logger.info(
      {
        stored: delta('stored'),
        duplicates: delta('duplicate'),
        dead_lettered: failed,
        retries: delta('transient'),
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
