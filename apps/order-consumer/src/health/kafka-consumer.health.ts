import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { ConsumerState } from '../kafka/consumer-state.service';

/** Consumer membership and outage waits, from state the consumer keeps anyway: no broker call per probe. */
@Injectable()
export class KafkaConsumerHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly state: ConsumerState,
  ) {}

  consumer(key = 'kafka-consumer') {
    const indicator = this.health.check(key);
    const { consumer } = this.state.readiness();
    return consumer.ready ? indicator.up() : indicator.down({ reason: consumer.reason });
  }

  /** DOWN while processing waits for a dependency (e.g. the database) to come back. */
  processing(key = 'processing') {
    const indicator = this.health.check(key);
    const { waitingFor } = this.state.readiness();
    return waitingFor
      ? indicator.down({ reason: `waiting for ${waitingFor.dependency}: ${waitingFor.reason}` })
      : indicator.up();
  }
}
