import { OrderTopic } from '@app/contracts';
import { HandledBatch } from '@app/dlq';
import { KafkaBatchContext } from '@app/kafka';
import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { DecodedOrderBatch, OrderBatchPipe } from './order-batch.pipe';
import { OrdersService } from './orders.service';

@Controller()
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  // One call per batch of one partition. The pattern is the logical topic; the transport reads the
  // topic configured for it (KAFKA_TOPIC_ORDERS). Dead letters, retries and the commit are the job
  // of the global DeadLetterInterceptor and the transport; the handler only says what records mean.
  @EventPattern(OrderTopic.Orders)
  handleOrders(
    @Payload(OrderBatchPipe) batch: DecodedOrderBatch,
    @Ctx() context: KafkaBatchContext,
  ): Promise<HandledBatch> {
    return this.orders.store(batch, context.getHeartbeat());
  }
}
