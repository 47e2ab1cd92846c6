import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { ConsumerState } from '../kafka/consumer-state';

/** Consumer membership and held partitions, from state the consumer keeps anyway: no broker call per probe. */
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

  /** DOWN once the consumer cannot be restarted: the process looks alive but consumes nothing. */
  alive(key = 'kafka-consumer') {
    const indicator = this.health.check(key);
    const { alive, reason } = this.state.liveness();
    return alive ? indicator.up() : indicator.down({ reason });
  }

  /** DOWN while any partition waits for a dependency (the database, the dead-letter topic). */
  processing(key = 'processing') {
    const indicator = this.health.check(key);
    const { waiting } = this.state.readiness();
    if (waiting.length === 0) return indicator.up();
    const partitions = Object.fromEntries(
      waiting.map((w) => [
        `${w.topic}/${w.partition}`,
        `waiting for ${w.dependency}: ${w.reason} (attempt ${w.attempt})`,
      ]),
    );
    const dependencies = [...new Set(waiting.map((w) => w.dependency))].join(', ');
    return indicator.down({ reason: `waiting for ${dependencies}`, partitions });
  }
}
