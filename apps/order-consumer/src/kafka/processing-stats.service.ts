import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';

export const STATS_EVERY_MS = 5_000;

type Outcome = 'stored' | 'duplicate' | 'poison' | 'invalid' | 'conflicting-duplicate' | 'unexpected';

/** Counts what the consumer did and logs a line every few seconds while there is traffic. */
@Injectable()
export class ProcessingStats implements OnModuleInit, OnApplicationShutdown {
  readonly totals: Record<Outcome | 'retries', number> = {
    stored: 0,
    duplicate: 0,
    poison: 0,
    invalid: 0,
    'conflicting-duplicate': 0,
    unexpected: 0,
    retries: 0,
  };
  private window = { count: 0, latencySum: 0, latencyMax: 0 };
  private reported = { ...this.totals };
  private timer?: NodeJS.Timeout;

  constructor(@InjectPinoLogger(ProcessingStats.name) private readonly logger: PinoLogger) {}

  onModuleInit(): void {
    this.timer = setInterval(() => this.report(), STATS_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
    this.report();
  }

  record(outcome: Outcome, createdAt?: Date): void {
    this.totals[outcome] += 1;
    if (outcome === 'stored' && createdAt) {
      const latency = Date.now() - createdAt.getTime();
      this.window.count += 1;
      this.window.latencySum += latency;
      this.window.latencyMax = Math.max(this.window.latencyMax, latency);
    }
  }

  retried(): void {
    this.totals.retries += 1;
  }

  private report(): void {
    const delta = (key: keyof typeof this.totals) => this.totals[key] - this.reported[key];
    const failed = delta('poison') + delta('invalid') + delta('conflicting-duplicate') + delta('unexpected');
    if (delta('stored') + delta('duplicate') + failed + delta('retries') === 0) return;
    const { count, latencySum, latencyMax } = this.window;
    this.logger.info(
      {
        stored: delta('stored'),
        duplicates: delta('duplicate'),
        failed,
        retries: delta('retries'),
        latency_ms_avg: count ? Math.round(latencySum / count) : null,
        latency_ms_max: count ? latencyMax : null,
        total_stored: this.totals.stored,
      },
      'processing',
    );
    this.reported = { ...this.totals };
    this.window = { count: 0, latencySum: 0, latencyMax: 0 };
  }
}
