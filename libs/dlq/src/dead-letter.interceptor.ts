import { ConsumerConfig, consumerConfig, KafkaConfig, kafkaConfig } from '@app/config';
import { delay } from '@app/platform';
import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import { KafkaContext } from '@nestjs/microservices';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { from, lastValueFrom, Observable } from 'rxjs';
import { classifyError, describeError, ErrorClass } from './classify-error';
import { deadLetterRecord } from './dead-letter-record';
import { DlqReason } from './dead-letter.headers';
import { DeliveryMonitor } from './delivery-monitor';

export const QUICK_RETRIES = 3;
export const RETRY_BASE_MS = 250;
export const RETRY_CAP_MS = 5_000;

/** What a handler may return: the interceptor counts it and measures latency from createdAt. */
export interface HandledRecord {
  result: 'stored' | 'duplicate';
  createdAt?: Date;
}

/** Thrown to kafkajs when shutdown interrupts a retry: the offset stays uncommitted, the record is redelivered. */
export class ShutdownInterruptedError extends Error {
  readonly name = 'ShutdownInterruptedError';
}

/**
 * The consumer's delivery contract, applied once to every @EventPattern handler:
 * - success: commit the record's offset + 1;
 * - poison, invalid, conflicting duplicate: write the record to the DLQ, then commit past it;
 * - transient (database or network down): retry with backoff while heartbeating, forever, never
 *   committing and never dead-lettering: a valid order must not be lost to an outage;
 * - unexpected: retry a few times, then dead-letter it with its error class.
 * If the DLQ write itself fails, nothing is committed and the record is tried again.
 */
@Injectable()
export class DeadLetterInterceptor implements NestInterceptor {
  constructor(
    private readonly monitor: DeliveryMonitor,
    @Inject(kafkaConfig.KEY) private readonly kafka: KafkaConfig,
    @Inject(consumerConfig.KEY) private readonly consumer: ConsumerConfig,
    @InjectPinoLogger(DeadLetterInterceptor.name) private readonly logger: PinoLogger,
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
    const startedAt = performance.now();
    const elapsed = () => performance.now() - startedAt;
    for (let attempt = 1; ; attempt++) {
      let kind: ErrorClass;
      let failure: unknown;
      try {
        const handled = await lastValueFrom(next.handle() as Observable<HandledRecord | undefined>, {
          defaultValue: undefined,
        });
        await this.commit(kafka);
        this.monitor.recovered();
        if (handled)
          this.monitor.delivered(handled.result, { createdAt: handled.createdAt, durationMs: elapsed() });
        return;
      } catch (error) {
        kind = classifyError(error);
        failure = error;
      }
      const orderId = (failure as { orderId?: string }).orderId;
      const { message } = describeError(failure);
      if (kind === 'transient' || (kind === 'unexpected' && attempt < QUICK_RETRIES)) {
        // Not dead-lettered: the record is fine, the database (or network) is not. Wait it out.
        if (kind === 'transient') this.monitor.retrying('database', message);
        await this.backoff(kafka, attempt, { ...where, order_id: orderId, kind, err: message });
        continue;
      }
      try {
        await this.deadLetter(kafka, kind, failure, attempt);
      } catch (dlqError) {
        // Committing without the DLQ copy would lose the record: keep it uncommitted and try again.
        const reason = describeError(dlqError).message;
        this.monitor.retrying('kafka dead-letter topic', reason);
        await this.backoff(kafka, attempt, { ...where, order_id: orderId, kind: 'dlq-publish', err: reason });
        continue;
      }
      await this.commit(kafka);
      this.monitor.recovered();
      this.monitor.delivered(kind, { durationMs: elapsed() });
      this.logger.warn({ ...where, order_id: orderId, reason: kind, err: message }, 'record dead-lettered');
      return;
    }
  }

  private async deadLetter(
    kafka: KafkaContext,
    reason: DlqReason,
    error: unknown,
    attempts: number,
  ): Promise<void> {
    const record = deadLetterRecord(
      {
        topic: kafka.getTopic(),
        partition: kafka.getPartition(),
        message: kafka.getMessage(),
        consumerGroup: this.consumer.groupId,
      },
      { reason, error, attempts },
    );
    // Awaited with acks=all: the offset is committed only once the DLQ copy is durable.
    await kafka.getProducer().send({ topic: this.kafka.topics.dlq, acks: -1, messages: [record] });
  }

  private async backoff(
    kafka: KafkaContext,
    attempt: number,
    details: Record<string, unknown>,
  ): Promise<void> {
    const wait = attempt <= QUICK_RETRIES ? RETRY_BASE_MS * 2 ** (attempt - 1) : RETRY_CAP_MS;
    this.monitor.delivered('transient');
    this.logger.warn({ ...details, attempt, retry_in_ms: wait }, 'processing failed, retrying');
    await this.pause(kafka, wait);
  }

  /** Waits out a backoff while keeping the group membership alive with heartbeats. */
  private async pause(kafka: KafkaContext, ms: number): Promise<void> {
    const signal = this.monitor.closingSignal;
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
