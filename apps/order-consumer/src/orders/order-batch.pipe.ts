import { Injectable, PipeTransform } from '@nestjs/common';
import { KafkaMessage } from 'kafkajs';
import { decodeOrder } from './order-decoder';
import { OrderToStore, toStore } from './order-row';

/** A batch of records sorted into the orders they carry and the records that carry none. */
export interface DecodedOrderBatch {
  orders: OrderToStore[];
  rejected: Array<{ message: KafkaMessage; error: unknown }>;
}

/**
 * Turns the raw records of a batch into validated orders, ready to store. A bad record does not
 * fail its batch: it is set aside with the permanent error that says why, for the dead-letter
 * interceptor.
 */
@Injectable()
export class OrderBatchPipe implements PipeTransform<KafkaMessage[], DecodedOrderBatch> {
  transform(messages: KafkaMessage[]): DecodedOrderBatch {
    const batch: DecodedOrderBatch = { orders: [], rejected: [] };
    for (const message of messages) {
      try {
        batch.orders.push(toStore(message, decodeOrder(message.value, keyOf(message))));
      } catch (error) {
        batch.rejected.push({ message, error });
      }
    }
    return batch;
  }
}

export function keyOf(message: KafkaMessage): string | null {
  return message.key?.toString('utf8') ?? null;
}
