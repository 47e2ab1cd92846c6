import { classifyError, ConflictingDuplicateError, FailedRecord, HandledBatch } from '@app/dlq';
import { Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { DecodedOrderBatch } from './order-batch.pipe';
import { sameOrder, toOrderRow } from './order-row';
import { NewOrderRow, OrdersRepository } from './orders.repository';

type Candidate = DecodedOrderBatch['orders'][number] & { row: NewOrderRow };

@Injectable()
export class OrdersService {
  constructor(
    private readonly orders: OrdersRepository,
    @InjectPinoLogger(OrdersService.name) private readonly logger: PinoLogger,
  ) {}

  /**
   * Stores a batch's valid orders with one INSERT, then tells each order that was already there:
   * the same order again is a harmless redelivery; the same order_id with other content is a
   * conflicting duplicate, and the stored row is kept. Database errors that a retry can cure
   * propagate, for the whole batch to be tried again.
   */
  async store({ orders, rejected }: DecodedOrderBatch): Promise<HandledBatch> {
    const handled: HandledBatch = { done: [], failed: [...rejected] };
    const candidates = orders.map((entry) => ({ ...entry, row: toOrderRow(entry.order) }));
    if (candidates.length === 0) return handled;
    const { inserted, failed } = await this.insert(candidates);
    handled.failed.push(...failed);
    const refused = new Set(failed.map((f) => f.message));
    const left: Candidate[] = [];
    for (const candidate of candidates) {
      if (refused.has(candidate.message)) continue;
      // An order_id appears once in the result even when the batch holds it twice: the first one wins.
      if (inserted.delete(candidate.row.orderId)) handled.done.push(this.done('stored', candidate));
      else left.push(candidate);
    }
    if (left.length > 0) await this.compareWithStored(left, handled);
    return handled;
  }

  /** One statement for the batch; one per order only when the batch holds an order PostgreSQL refuses. */
  private async insert(candidates: Candidate[]): Promise<{ inserted: Set<string>; failed: FailedRecord[] }> {
    try {
      return { inserted: new Set(await this.orders.insertNew(candidates.map((c) => c.row))), failed: [] };
    } catch (error) {
      if (classifyError(error) === 'transient') throw error;
      this.logger.warn(
        { err: String(error), orders: candidates.length },
        'batch insert refused; inserting one by one',
      );
    }
    const inserted = new Set<string>();
    const failed: FailedRecord[] = [];
    for (const { message, row } of candidates) {
      try {
        for (const id of await this.orders.insertNew([row])) inserted.add(id);
      } catch (error) {
        if (classifyError(error) === 'transient') throw error;
        failed.push({ message, error: Object.assign(error as object, { orderId: row.orderId }) });
      }
    }
    return { inserted, failed };
  }

  private async compareWithStored(left: Candidate[], handled: HandledBatch): Promise<void> {
    const stored = new Map(
      (await this.orders.findByIds([...new Set(left.map((c) => c.row.orderId))])).map((row) => [
        row.orderId,
        row,
      ]),
    );
    for (const candidate of left) {
      const { row, message } = candidate;
      const existing = stored.get(row.orderId);
      if (existing && sameOrder(existing, row)) {
        handled.done.push(this.done('duplicate', candidate));
      } else {
        const error = existing
          ? new ConflictingDuplicateError(
              `order_id ${row.orderId} is already stored with different content; the stored row is kept`,
            )
          : new Error(`order_id ${row.orderId} was neither inserted nor found`);
        handled.failed.push({ message, error: Object.assign(error, { orderId: row.orderId }) });
      }
    }
  }

  private done(result: 'stored' | 'duplicate', { row, message }: Candidate) {
    if (this.logger.logger.isLevelEnabled('debug')) {
      this.logger.debug({ order_id: row.orderId, offset: message.offset, result }, 'order processed');
    }
    return { result, createdAt: row.createdAt };
  }
}
