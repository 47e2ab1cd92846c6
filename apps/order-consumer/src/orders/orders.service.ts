import { ConflictingDuplicateError, HandledRecord } from '@app/dlq';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { Repository } from 'typeorm';
import { IncomingRecord } from '../kafka/incoming-record';
import { decodeOrder } from './order-decoder';
import { sameOrder, toOrderRow } from './order-row';
import { OrderEntity } from './order.entity';

export interface StoreOutcome extends HandledRecord {
  orderId: string;
  createdAt: Date;
}

@Injectable()
export class OrdersService {
  constructor(
    @InjectRepository(OrderEntity) private readonly orders: Repository<OrderEntity>,
    @InjectPinoLogger(OrdersService.name) private readonly logger: PinoLogger,
  ) {}

  /**
   * Decodes, validates and stores one order record. Throws a permanent error for records that can
   * never be stored; database errors propagate as they are, for the caller to retry.
   */
  async process(record: IncomingRecord): Promise<StoreOutcome> {
    const row = toOrderRow(decodeOrder(record.value, record.key));
    const result = await this.orders.manager.transaction(async (tx) => {
      const inserted = await tx
        .createQueryBuilder()
        .insert()
        .into(OrderEntity)
        .values(row)
        .orIgnore() // ON CONFLICT (order_id) DO NOTHING: a redelivered order is not an error
        .returning(['orderId'])
        .execute();
      if ((inserted.raw as unknown[]).length === 1) return 'stored' as const;
      const stored = await tx.findOneByOrFail(OrderEntity, { orderId: row.orderId });
      if (sameOrder(stored, row)) return 'duplicate' as const;
      throw new ConflictingDuplicateError(
        `order_id ${row.orderId} is already stored with different content; the stored row is kept`,
      ).withOrderId(row.orderId);
    });
    this.logger.debug(
      { order_id: row.orderId, partition: record.partition, offset: record.offset, result },
      'order processed',
    );
    return { result, orderId: row.orderId, createdAt: row.createdAt };
  }
}
