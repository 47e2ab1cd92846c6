import { OrderDto } from '@app/contracts';
import { Injectable, PipeTransform } from '@nestjs/common';
import { KafkaMessage } from 'kafkajs';
import { decodeOrder } from './order-decoder';

/** A batch of records sorted into the orders they carry and the records that carry none. */
export interface DecodedOrderBatch {
  orders: Array<{ message: KafkaMessage; order: OrderDto }>;
  rejected: Array<{ message: KafkaMessage; error: unknown }>;
}

/**
 * Turns the raw records of a batch into validated orders. A bad record does not fail its batch: it
 * is set aside with the permanent error that says why, for the dead-letter interceptor.
 */
@Injectable()
export class OrderBatchPipe implements PipeTransform<KafkaMessage[], DecodedOrderBatch> {
  transform(messages: KafkaMessage[]): DecodedOrderBatch {
    const batch: DecodedOrderBatch = { orders: [], rejected: [] };
    for (const message of messages) {
      try {
        batch.orders.push({
          message,
          order: decodeOrder(message.value, message.key?.toString('utf8') ?? null),
        });
      } catch (error) {
        batch.rejected.push({ message, error });
      }
    }
    return batch;
  }
}
