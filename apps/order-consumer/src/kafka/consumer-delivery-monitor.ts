import { DeliveryMonitor, DeliveryOutcome } from '@app/dlq';
import { Injectable } from '@nestjs/common';
import { ConsumerState } from './consumer-state.service';
import { ProcessingStats } from './processing-stats.service';

/** Feeds what the dead-letter interceptor sees into readiness (ConsumerState) and the counters. */
@Injectable()
export class ConsumerDeliveryMonitor extends DeliveryMonitor {
  constructor(
    private readonly state: ConsumerState,
    private readonly stats: ProcessingStats,
  ) {
    super();
  }

  get closingSignal(): AbortSignal {
    return this.state.closingSignal;
  }

  delivered(outcome: DeliveryOutcome, details?: { createdAt?: Date; durationMs?: number }): void {
    this.stats.record(outcome, details);
  }

  retrying(dependency: string, reason: string): void {
    this.state.waitingFor(dependency, reason);
  }

  recovered(): void {
    this.state.resumed();
  }
}
