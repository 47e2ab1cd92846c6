import { ordersTopicName } from '@app/config';
import { Controller } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import { IncomingRecord, KafkaRecord } from '../kafka/incoming-record';
import { OrdersService, StoreOutcome } from './orders.service';

@Controller()
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  // Delivery (commit after the write, retries, skipping bad records) is the job of the global
  // MessageDeliveryInterceptor; the handler only says what a record means.
  @EventPattern(ordersTopicName())
  handleOrder(@KafkaRecord() record: IncomingRecord): Promise<StoreOutcome> {
    return this.orders.process(record);
  }
}
