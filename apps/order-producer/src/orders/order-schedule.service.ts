import { ProducerConfig, producerConfig } from '@app/config';
import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { OrderGenerator } from './order-generator';
import { OrderPublisher } from './order-publisher.service';
import { PROGRESS_EVERY_MS, SHUTDOWN_GRACE_MS, TICK_MS } from './orders.constants';

/** The exit code of a producer stopped with orders it could not deliver (EX_TEMPFAIL: try again later). */
export const EXIT_UNDELIVERED = 75;

/**
 * Emits orders at PRODUCER_RATE per second. Every tick sends the orders that came due since the
 * last one as a single batch; a tick that finds the previous batch still in flight leaves its
 * time to the next one, so a slow broker lowers throughput instead of piling up sends.
 */
@Injectable()
export class OrderSchedule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private credit = 0;
  private lastTick = 0;
  private startedAt = 0;
  private generated = 0;
  private inFlight: Promise<unknown> | undefined;
  private stopping: Promise<void> | undefined;
  private lastProgress = { at: 0, sent: 0 };
  private resolveFinished!: () => void;
  /** Resolves once PRODUCER_MAX_ORDERS or PRODUCER_DURATION_S is reached and every order is acknowledged. */
  readonly finished = new Promise<void>((resolve) => (this.resolveFinished = resolve));

  constructor(
    private readonly registry: SchedulerRegistry,
    private readonly generator: OrderGenerator,
    private readonly publisher: OrderPublisher,
    @Inject(producerConfig.KEY) private readonly config: ProducerConfig,
    @InjectPinoLogger(OrderSchedule.name) private readonly logger: PinoLogger,
  ) {}

  onApplicationBootstrap(): void {
    this.startedAt = this.lastTick = this.lastProgress.at = Date.now();
    this.registry.addInterval(
      'emit-orders',
      setInterval(() => this.tick(), TICK_MS),
    );
    this.registry.addInterval(
      'progress',
      setInterval(() => this.reportProgress(), PROGRESS_EVERY_MS),
    );
    const { ratePerSecond, maxOrders, durationSeconds } = this.config;
    this.logger.info(
      { rate: ratePerSecond, max_orders: maxOrders, duration_s: durationSeconds },
      'producing orders',
    );
  }

  /**
   * Stops emitting and gives the batch in flight SHUTDOWN_GRACE_MS to be acknowledged; after that
   * (the broker is away) it is abandoned, so shutdown ends within its deadline, saying what was lost.
   */
  async beforeApplicationShutdown(): Promise<void> {
    const stopped = this.stop();
    const timer = setTimeout(() => this.publisher.giveUp(), SHUTDOWN_GRACE_MS);
    await stopped;
    clearTimeout(timer);
  }

  private tick(): void {
    if (this.inFlight || this.stopping) return;
    const now = Date.now();
    const { ratePerSecond, maxOrders, durationSeconds } = this.config;
    if (durationSeconds > 0 && now - this.startedAt >= durationSeconds * 1000) {
      void this.stop();
      return;
    }
    // At most one second of backlog: after an outage the simulated customers do not all order at once.
    this.credit = Math.min(
      this.credit + ((now - this.lastTick) / 1000) * ratePerSecond,
      Math.max(1, ratePerSecond),
    );
    this.lastTick = now;
    let count = Math.floor(this.credit);
    if (maxOrders > 0) count = Math.min(count, maxOrders - this.generated);
    if (count <= 0) return;
    this.credit -= count;
    this.generated += count;
    const orders = Array.from({ length: count }, () => this.generator.next(new Date(now)));
    this.inFlight = this.publisher.publish(orders).finally(() => {
      this.inFlight = undefined;
      if (maxOrders > 0 && this.publisher.counters.sent >= maxOrders) void this.stop();
    });
  }

  /** Stops emitting; every caller (limit reached, duration over, shutdown) shares one wind-down. */
  private stop(): Promise<void> {
    this.stopping ??= this.windDown();
    return this.stopping;
  }

  private async windDown(): Promise<void> {
    for (const name of ['emit-orders', 'progress']) {
      if (this.registry.doesExist('interval', name)) this.registry.deleteInterval(name);
    }
    await this.inFlight;
    const { sent, failedAttempts } = this.publisher.counters;
    const seconds = (Date.now() - this.startedAt) / 1000;
    const summary = { sent, errors: failedAttempts, seconds: round(seconds), rate: round(sent / seconds) };
    const undelivered = this.generated - sent;
    if (undelivered > 0) {
      process.exitCode = EXIT_UNDELIVERED;
      this.logger.error(
        { ...summary, undelivered, exit_code: EXIT_UNDELIVERED },
        'producer stopped with orders it could not deliver',
      );
    } else {
      this.logger.info(summary, 'producer finished');
    }
    this.resolveFinished();
  }

  private reportProgress(): void {
    const now = Date.now();
    const { sent, failedAttempts } = this.publisher.counters;
    const rate = ((sent - this.lastProgress.sent) * 1000) / Math.max(1, now - this.lastProgress.at);
    this.lastProgress = { at: now, sent };
    this.logger.info({ sent, rate: round(rate), errors: failedAttempts }, 'progress');
  }
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
