import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { OrderPublisher } from '../orders/order-publisher';

/** Ready while the producer is connected and its last send went through; no new connection per probe. */
@Injectable()
export class KafkaProducerHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly publisher: OrderPublisher,
  ) {}

  check(key = 'kafka') {
    const indicator = this.health.check(key);
    const state = this.publisher.state();
    return state.ready ? indicator.up() : indicator.down({ reason: state.reason });
  }
}
