import { ProducerConfig, producerConfig } from '@app/config';
import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Interval, SchedulerRegistry } from '@nestjs/schedule';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { Subscription } from 'rxjs';
import { OrderGenerator } from '@app/order-generator';
import { OrderPublisher } from './order-publisher';
import { PROGRESS_EVERY_MS, SHUTDOWN_GRACE_MS, TICK_MS } from './orders.constants';

const EMIT_ORDERS = 'emit-orders';
const PROGRESS = 'progress';

/** The exit code of a producer stopped with orders it could not deliver (EX_TEMPFAIL: try again later). */
export const EXIT_UNDELIVERED = 75;
/** The exit code of a run whose topic refused some orders as too large (EX_DATAERR: no retry helps). */
export const EXIT_REJECTED = 65;

/**
 * Emits orders at PRODUCER_RATE per second. Every tick hands the orders that came due since the
 * last one to the publisher's backlog, which sends them as fast as the broker acknowledges; when
 * the backlog is full the tick leaves its orders for later, so a slow broker lowers throughput
 * instead of piling up memory.
 */
@Injectable()
export class OrderSchedule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private credit = 0;
  private lastTick = 0;
  private startedAt = 0;
  private generated = 0;
  private stopping: Promise<void> | undefined;
  private topUp?: Subscription;
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
    // Faster than the broker takes them, orders are made as the backlog empties, not only at ticks.
    this.topUp = this.publisher.room.subscribe(() => this.tick());
    const { ratePerSecond, maxOrders, durationSeconds } = this.config;
    this.logger.info(
      { rate: ratePerSecond, max_orders: maxOrders, duration_s: durationSeconds },
      'producing orders',
    );
  }

  /**
   * Stops emitting and gives the backlog SHUTDOWN_GRACE_MS to be acknowledged; after that (the
   * broker is away) it is abandoned, so shutdown ends within its deadline, saying what was lost.
   */
  async beforeApplicationShutdown(): Promise<void> {
    const stopped = this.stop();
    const timer = setTimeout(() => this.publisher.giveUp(), SHUTDOWN_GRACE_MS);
    await stopped;
    clearTimeout(timer);
  }

  /** Hands the orders due since the last tick to the publisher's backlog. */
  @Interval(EMIT_ORDERS, TICK_MS)
  tick(): void {
    // The scheduler may start its intervals before this provider's own bootstrap has run.
    if (this.stopping || this.startedAt === 0) return;
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
    // A full backlog means the broker is slower than the rate: orders wait as credit, not as memory.
    for (let made = 0; made < count && this.publisher.hasRoom(); made++) {
      this.publisher.enqueue(this.generator.next(new Date(now)));
      this.credit -= 1;
      this.generated += 1;
    }
    if (maxOrders > 0 && this.generated >= maxOrders) void this.stop();
  }

  /** Stops emitting; every caller (limit reached, duration over, shutdown) shares one wind-down. */
  private stop(): Promise<void> {
    this.stopping ??= this.windDown();
    return this.stopping;
  }

  private async windDown(): Promise<void> {
    this.topUp?.unsubscribe();
    for (const name of [EMIT_ORDERS, PROGRESS]) {
      if (this.registry.doesExist('interval', name)) this.registry.deleteInterval(name);
    }
    await this.publisher.idle();
    const { sent, sends, rejected, failedAttempts } = this.publisher.counters;
    const seconds = (Date.now() - this.startedAt) / 1000;
    const summary = {
      sent,
      // Few orders per send means a send (a produce request, an acknowledgement) per handful of orders.
      orders_per_send: round(sent / Math.max(1, sends)),
      rejected,
      errors: failedAttempts,
      seconds: round(seconds),
      rate: round(sent / seconds),
    };
    const undelivered = this.generated - sent - rejected;
    if (undelivered > 0) {
      process.exitCode = EXIT_UNDELIVERED;
      this.logger.error(
        { ...summary, undelivered, exit_code: EXIT_UNDELIVERED },
        'producer stopped with orders it could not deliver',
      );
    } else {
      this.logger.info(summary, 'producer finished');
      if (rejected > 0) {
        process.exitCode = EXIT_REJECTED;
        this.logger.error(
          { rejected, exit_code: EXIT_REJECTED },
          'the topic refused orders as too large: each is named above',
        );
      }
    }
    this.resolveFinished();
  }

  @Interval(PROGRESS, PROGRESS_EVERY_MS)
  reportProgress(): void {
    if (this.startedAt === 0) return;
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
