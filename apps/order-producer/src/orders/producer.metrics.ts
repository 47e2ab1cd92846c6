import { Injectable } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';

@Injectable()
export class ProducerMetrics {
  readonly produced: Counter;
  readonly produceErrors: Counter;
  readonly rejected: Counter;

  constructor(registry: Registry) {
    this.produced = new Counter({
      name: 'orders_produced_total',
      help: 'Orders acknowledged by the broker (acks=all)',
      registers: [registry],
    });
    this.produceErrors = new Counter({
      name: 'orders_produce_errors_total',
      help: 'Failed send attempts; each failed batch is retried',
      registers: [registry],
    });
    this.rejected = new Counter({
      name: 'orders_produce_rejected_total',
      help: 'Orders larger than the topic accepts (max.message.bytes): never sent',
      registers: [registry],
    });
  }
}
