import { KafkaBatchContext, RetryBatchException } from '@app/kafka';
import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { from, lastValueFrom, Observable } from 'rxjs';
import { classifyError, describeError, describeKafkaError, sqlState } from './classify-error';
import { deadLetterRecord } from './dead-letter-record';
import { DeadLetterPublisher } from './dead-letter.publisher';
import { DlqReason } from './dead-letter.headers';
import { BatchOutcome, FailedRecord, HandledBatch } from './handled-batch';

/** Tries of a batch whose failure follows one record before that record is dead-lettered as 'unexpected'. */
export const QUICK_RETRIES = 3;

/**
 * The consumer's delivery contract, applied once to every @EventPattern batch handler:
 * - records the handler finished (stored, or a harmless redelivery) are done; what became of each
 *   record is the pipeline's result (BatchOutcome), reported by the transport after the commit;
 * - poison, invalid and conflicting records are written to the DLQ, all of a batch together and
 *   in one Kafka transaction with the batch's offset commit;
 * - a failure of the environment (the database, the network, their permissions) retries the whole
 *   batch, forever, and never dead-letters it: a valid order must not be lost to an outage;
 * - a failure the handler pinned on one record, of no known kind, retries the batch a few times,
 *   then dead-letters that record as 'unexpected';
 * - anything the handler throws is the whole batch's, not any record's: the batch is retried;
 * - if the DLQ write fails, the batch is retried: committing without the DLQ copy would lose it.
 * Retrying means throwing RetryBatchException: the transport pauses the partition and delivers the
 * batch again after a backoff, so the other partitions keep moving meanwhile.
 */
@Injectable()
export class DeadLetterInterceptor implements NestInterceptor {
  constructor(
    private readonly publisher: DeadLetterPublisher,
    @InjectPinoLogger(DeadLetterInterceptor.name) private readonly logger: PinoLogger,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    return from(this.settle(context.switchToRpc().getContext<KafkaBatchContext>(), next));
  }

  private async settle(batch: KafkaBatchContext, next: CallHandler): Promise<BatchOutcome> {
    const { done, failed } = await this.handle(next);
    const waiting = failed.find(({ error }) => this.mustRetry(batch, classifyError(error)));
    if (waiting) throw this.retry(waiting.error);
    await this.deadLetter(batch, failed);
    const outcome: BatchOutcome = { stored: [], duplicates: 0, deadLettered: {} };
    for (const { result, createdAt } of done) {
      if (result === 'duplicate') outcome.duplicates += 1;
      else outcome.stored.push(createdAt);
    }
    for (const { error } of failed) {
      const reason = classifyError(error) as DlqReason;
      outcome.deadLettered[reason] = (outcome.deadLettered[reason] ?? 0) + 1;
    }
    return outcome;
  }

  private async handle(next: CallHandler): Promise<HandledBatch> {
    try {
      return await lastValueFrom(next.handle() as Observable<HandledBatch>);
    } catch (error) {
      // The handler pins each failure it can on its record; what it throws, it could not: the
      // cause is shared by the batch (the database, a bug), so no record is dead-lettered for it.
      throw this.retry(error);
    }
  }

  private mustRetry(batch: KafkaBatchContext, kind: ReturnType<typeof classifyError>): boolean {
    return kind === 'transient' || (kind === 'unexpected' && batch.getAttempt() < QUICK_RETRIES);
  }

  private retry(error: unknown): RetryBatchException {
    // Not dead-lettered: the records are fine, the database (or the network to it) is not.
    const dependency = classifyError(error) === 'transient' ? 'database' : 'handler';
    const state = sqlState(error);
    const reason = describeError(error).message + (state ? ` (SQLSTATE ${state})` : '');
    return new RetryBatchException(dependency, reason);
  }

  private async deadLetter(batch: KafkaBatchContext, failed: FailedRecord[]): Promise<void> {
    if (failed.length === 0) return;
    // In offset order, as they were in their partition: a replay then keeps each customer's order.
    failed.sort((a, b) => (BigInt(a.message.offset) < BigInt(b.message.offset) ? -1 : 1));
    const source = { topic: batch.getTopic(), partition: batch.getPartition() };
    const letters = failed.map(({ message, error }) =>
      deadLetterRecord(
        { ...source, message, consumerGroup: batch.getGroupId() },
        { reason: classifyError(error) as DlqReason, error, attempts: batch.getAttempt() },
      ),
    );
    const offset = { ...source, groupId: batch.getGroupId(), offset: batch.getCommitOffset() };
    try {
      // The dead letters and the batch's commit in one transaction: both durable, or neither.
      await this.publisher.publish(letters, offset, batch.getHeartbeat());
    } catch (error) {
      throw new RetryBatchException(
        'dead-letter topic',
        `${describeError(error).name}: ${describeKafkaError(error)}`,
      );
    }
    batch.offsetCommitted();
    for (const { message, error } of failed) {
      this.logger.warn(
        {
          ...source,
          offset: message.offset,
          order_id: (error as { orderId?: string }).orderId,
          reason: classifyError(error),
          err: describeError(error).message,
        },
        'record dead-lettered',
      );
    }
  }
}
