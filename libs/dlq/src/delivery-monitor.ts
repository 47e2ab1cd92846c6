import { ErrorClass } from './classify-error';

export type DeliveryOutcome = 'stored' | 'duplicate' | ErrorClass;

/** Where the dead-letter interceptor reports what became of each batch and record (logs and metrics). */
export abstract class DeliveryMonitor {
  /** A final outcome per record, or 'transient' once per retry of a batch. */
  abstract delivered(outcome: DeliveryOutcome, details?: { createdAt?: Date; durationMs?: number }): void;
  /** A batch finished (its records reported through delivered()), about to be committed. */
  abstract batchDone(records: number): void;
}
