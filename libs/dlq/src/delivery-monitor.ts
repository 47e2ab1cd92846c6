import { ErrorClass } from './classify-error';

export type DeliveryOutcome = 'stored' | 'duplicate' | ErrorClass;

/**
 * What the dead-letter interceptor reports while it delivers records; the consumer app implements
 * it with its readiness state and its processing counters.
 */
export abstract class DeliveryMonitor {
  /** Aborted when the consumer starts shutting down: retry waits end at once. */
  abstract readonly closingSignal: AbortSignal;
  /** A final outcome, or 'transient' for each retry; durationMs runs from receipt to commit. */
  abstract delivered(outcome: DeliveryOutcome, details?: { createdAt?: Date; durationMs?: number }): void;
  abstract retrying(dependency: string, reason: string): void;
  abstract recovered(): void;
}
