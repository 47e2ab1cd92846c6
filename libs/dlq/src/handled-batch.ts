import { KafkaMessage } from 'kafkajs';
import { DlqReason } from './dead-letter.headers';

/** A record the handler finished: stored, or a redelivery of an order already stored. */
export interface DoneRecord {
  result: 'stored' | 'duplicate';
  /** When the order was created (epoch ms): its end-to-end latency is measured once the batch is committed. */
  createdAt: number;
}

/** A record that can never be stored, and why: the dead-letter interceptor writes it to the DLQ. */
export interface FailedRecord {
  message: KafkaMessage;
  error: unknown;
}

/** What a batch handler returns: every record of its batch, either done or failed. */
export interface HandledBatch {
  done: DoneRecord[];
  failed: FailedRecord[];
}

/**
 * What the dead-letter interceptor made of a batch: the value the handler pipeline emits, handed to
 * the transport's observers once the batch is committed (the consumer's metrics and log line).
 */
export interface BatchOutcome {
  /** created_at (epoch ms) of each order stored by this batch. */
  stored: number[];
  /** Redeliveries of orders already stored. */
  duplicates: number;
  deadLettered: Partial<Record<DlqReason, number>>;
}
