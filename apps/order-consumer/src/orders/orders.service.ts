import { ConsumerConfig, consumerConfig } from '@app/config';
import {
  classifyError,
  ConflictingDuplicateError,
  FailedRecord,
  HandledBatch,
  isolateFailures,
  SharedFailureError,
  smallerMayPass,
} from '@app/dlq';
import { Inject, Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { DecodedOrderBatch, keyOf } from './order-batch.pipe';
import { decodeOrder } from './order-decoder';
import { OrderToStore, sameOrder, toOrderRow } from './order-row';
import { OrdersRepository } from './orders.repository';
import { StatementSize } from './statement-size';

type Refusal = { item: OrderToStore; error: unknown };

/** What the service needs from the batch's transport while it works: a heartbeat between statements. */
export type Between = () => Promise<void>;

@Injectable()
export class OrdersService {
  private readonly statementSize: StatementSize;

  constructor(
    private readonly orders: OrdersRepository,
    @Inject(consumerConfig.KEY) consumer: ConsumerConfig,
    @InjectPinoLogger(OrdersService.name) private readonly logger: PinoLogger,
  ) {
    this.statementSize = new StatementSize(consumer.batchMax);
  }

  /**
   * Stores a batch's valid orders (one INSERT when all goes well), then tells each order that was
   * already there: the same order again is a harmless redelivery; the same order_id with other
   * content is a conflicting duplicate, and the stored row is kept. Only what a record is at fault
   * for is returned as failed; failures of the database (or any failure every order meets alike)
   * propagate, for the whole batch to be held and tried again. `between` runs before every
   * statement (the group heartbeat), so a batch that needs many statements keeps its membership.
   */
  async store({ orders, rejected }: DecodedOrderBatch, between: Between): Promise<HandledBatch> {
    const handled: HandledBatch = { done: [], failed: [...rejected] };
    if (orders.length === 0) return handled;
    const { inserted, refused, anySucceeded } = await this.insert(orders, between);
    handled.failed.push(...this.blame(refused, anySucceeded));
    const refusedMessages = new Set(refused.map((r) => r.item.message));
    const left: OrderToStore[] = [];
    for (const order of orders) {
      if (refusedMessages.has(order.message)) continue;
      // An order_id appears once in the result even when the batch holds it twice: the first one wins.
      if (inserted.delete(order.orderId)) handled.done.push(this.done('stored', order));
      else left.push(order);
    }
    if (left.length > 0) await this.compareWithStored(left, handled, between);
    return handled;
  }

  /**
   * Inserts in statements of the current size; a statement that timed out is tried again smaller
   * at once (its rows are idempotent), and one that PostgreSQL refuses is split until the refused
   * orders are found.
   */
  private async insert(candidates: OrderToStore[], between: Between) {
    const inserted = new Set<string>();
    const refused: Refusal[] = [];
    let anySucceeded = false;
    let start = 0;
    while (start < candidates.length) {
      const chunk = candidates.slice(start, start + this.statementSize.current);
      try {
        const part = await isolateFailures(
          chunk,
          (some) => this.orders.insertNew(some.map((c) => c.json)),
          between,
        );
        for (const ids of part.results) for (const id of ids) inserted.add(id);
        refused.push(...part.refused);
        anySucceeded ||= part.anySucceeded;
        if (part.statements > 1) {
          this.logger.warn(
            { orders: chunk.length, statements: part.statements, refused: part.refused.length },
            'batch insert refused; split to find the refused orders',
          );
        } else {
          this.statementSize.passed(chunk.length);
        }
        start += chunk.length;
      } catch (error) {
        if (chunk.length === 1 || !smallerMayPass(error)) throw error;
        const size = this.statementSize.shrink(chunk.length);
        this.logger.warn(
          { orders: chunk.length, next_statement_orders: size, err: String(error) },
          'insert too slow for the database; trying fewer orders per statement',
        );
      }
    }
    return { inserted, refused, anySucceeded };
  }

  /**
   * Refused orders with a record's error (SQLSTATE class 22 or 23) are the record's. Any other
   * error counts against the record only if other statements of the batch went through; if every
   * part failed alike, the cause is shared and the batch is held.
   */
  private blame(refused: Refusal[], anySucceeded: boolean): FailedRecord[] {
    const unexplained = refused.find(({ error }) => classifyError(error) === 'unexpected');
    if (unexplained && !anySucceeded) throw new SharedFailureError(unexplained.error);
    return refused.map(({ item, error }) => ({
      message: item.message,
      error: Object.assign(error as object, { orderId: item.orderId }),
    }));
  }

  /** Tells a redelivery from a conflict for orders the INSERT skipped; a lookup that fails is blamed as an insert is. */
  private async compareWithStored(left: OrderToStore[], handled: HandledBatch, between: Between) {
    const ids = [...new Set(left.map((c) => c.orderId))];
    const lookup = await isolateFailures(ids, (some) => this.orders.findByIds(some), between);
    const stored = new Map(lookup.results.flat().map((row) => [row.orderId, row]));
    const failedLookups = new Map(lookup.refused.map(({ item, error }) => [item, error]));
    const refused = left
      .filter((item) => failedLookups.has(item.orderId))
      .map((item) => ({ item, error: failedLookups.get(item.orderId) }));
    handled.failed.push(...this.blame(refused, lookup.anySucceeded));
    for (const candidate of left) {
      const { orderId, message } = candidate;
      if (failedLookups.has(orderId)) continue;
      const existing = stored.get(orderId);
      // The order as its row would hold it, decoded again from the record: only the parsed
      // orders of redeliveries are ever needed after the INSERT, so none other is kept.
      if (existing && sameOrder(existing, toOrderRow(decodeOrder(message.value, keyOf(message))))) {
        handled.done.push(this.done('duplicate', candidate));
      } else {
        const error = existing
          ? new ConflictingDuplicateError(
              `order_id ${orderId} is already stored with different content; the stored row is kept`,
            )
          : new Error(`order_id ${orderId} was neither inserted nor found`);
        handled.failed.push({ message, error: Object.assign(error, { orderId }) });
      }
    }
  }

  private done(result: 'stored' | 'duplicate', { orderId, message, createdAt }: OrderToStore) {
    if (this.logger.logger.isLevelEnabled('debug')) {
      this.logger.debug({ order_id: orderId, offset: message.offset, result }, 'order processed');
    }
    return { result, createdAt };
  }
}
