import { Module } from '@nestjs/common';
import { OrderBatchPipe } from './order-batch.pipe';
import { OrdersController } from './orders.controller';
import { OrdersRepository } from './orders.repository';
import { OrdersService } from './orders.service';

@Module({
  controllers: [OrdersController],
  providers: [OrdersService, OrdersRepository, OrderBatchPipe],
})
export class OrdersModule {}
