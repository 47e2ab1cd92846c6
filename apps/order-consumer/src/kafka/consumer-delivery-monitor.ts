import { DeliveryMonitor, DeliveryOutcome } from '@app/dlq';
import { Injectable } from '@nestjs/common';
import { ProcessingStats } from './processing-stats.service';

/** Feeds what the dead-letter interceptor sees into the counters. */
@Injectable()
export class ConsumerDeliveryMonitor extends DeliveryMonitor {
  constructor(private readonly stats: ProcessingStats) {
    super();
  }

  delivered(outcome: DeliveryOutcome, details?: { createdAt?: Date; durationMs?: number }): void {
    this.stats.record(outcome, details);
  }
}
