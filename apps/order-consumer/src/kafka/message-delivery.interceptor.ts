import { classifyError } from '@app/dlq';
import { delay } from '@app/platform';
import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { KafkaContext } from '@nestjs/microservices';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { from, lastValueFrom, Observable } from 'rxjs';
import { StoreOutcome } from '../orders/orders.service';
import { ConsumerState } from './consumer-state.service';
import { ProcessingStats } from './processing-stats.service';

export const QUICK_RETRIES = 3;
export const RETRY_BASE_MS = 250;
export const RETRY_CAP_MS = 5_000;

/** Thrown to kafkajs when shutdown interrupts a retry: the offset stays uncommitted, the record is redelivered. */
export class ShutdownInterruptedError extends Error {
  readonly name = 'ShutdownInterruptedError';
}

/**
 * The consumer's delivery contract, applied to every @EventPattern handler:
 * - success: commit the record's offset + 1 (the position of the NEXT record to read);
 * - transient failure (database or network down): retry with backoff while heartbeating, forever,
 *   never committing: a valid order must not be skipped because of an outage;
 * - permanent failure (poison, invalid, conflicting duplicate), or unexpected after the quick
 *   retries: log the reason and commit past it so the partition is not blocked.
 */
@Injectable()
export class MessageDeliveryInterceptor implements NestInterceptor {
  constructor(
    private readonly state: ConsumerState,
    private readonly stats: ProcessingStats,
    @InjectPinoLogger(MessageDeliveryInterceptor.name) private readonly logger: PinoLogger,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    return from(this.deliver(context.switchToRpc().getContext<KafkaContext>(), next));
  }

  private async deliver(kafka: KafkaContext, next: CallHandler): Promise<void> {
    const where = {
      topic: kafka.getTopic(),
      partition: kafka.getPartition(),
      offset: kafka.getMessage().offset,
    };
    for (let attempt = 1; ; attempt++) {
      try {
        const handled = next.handle() as Observable<StoreOutcome | undefined>;
        const outcome = await lastValueFrom(handled, { defaultValue: undefined });
        await this.commit(kafka);
        this.state.resumed();
        if (outcome) this.stats.record(outcome.result, outcome.createdAt);
        return;
      } catch (error) {
        const kind = classifyError(error);
        const message = error instanceof Error ? error.message : String(error);
        const orderId = (error as { orderId?: string }).orderId;
        if (kind === 'transient' || (kind === 'unexpected' && attempt < QUICK_RETRIES)) {
          const wait = attempt <= QUICK_RETRIES ? RETRY_BASE_MS * 2 ** (attempt - 1) : RETRY_CAP_MS;
          if (kind === 'transient') this.state.waitingFor('database', message);
          this.stats.retried();
          this.logger.warn(
            { ...where, order_id: orderId, attempt, retry_in_ms: wait, err: message, kind },
            'processing failed, retrying',
          );
          await this.pause(kafka, wait);
          continue;
        }
        this.stats.record(kind);
        this.logger.warn({ ...where, order_id: orderId, reason: kind, err: message }, 'record skipped');
        await this.commit(kafka);
        return;
      }
    }
  }

  /** Waits out a backoff while keeping the group membership alive with heartbeats. */
  private async pause(kafka: KafkaContext, ms: number): Promise<void> {
    const signal = this.state.closingSignal;
    const until = Date.now() + ms;
    while (Date.now() < until && !signal.aborted) {
      await kafka.getHeartbeat()();
      await delay(Math.min(1_000, until - Date.now()), signal);
    }
    if (signal.aborted)
      throw new ShutdownInterruptedError('shutting down: record left uncommitted for redelivery');
  }

  private async commit(kafka: KafkaContext): Promise<void> {
    const { offset } = kafka.getMessage();
    // A committed offset names the next record to read, so it is this record's offset + 1;
    // committing the offset itself would replay this record after every restart or rebalance.
    await kafka.getConsumer().commitOffsets([
      {
        topic: kafka.getTopic(),
        partition: kafka.getPartition(),
        offset: (BigInt(offset) + 1n).toString(),
      },
    ]);
  }
}
