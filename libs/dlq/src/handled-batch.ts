import { KafkaMessage } from 'kafkajs';

/** A record the handler finished: stored, or a redelivery of an order already stored. */
export interface DoneRecord {
  result: 'stored' | 'duplicate';
  /** When the order was created (feeds the end-to-end latency). */
  createdAt?: Date;
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
