/** Headers added to every dead-letter record, next to the original record's own headers. */
export const DlqHeader = {
  Reason: 'x-dlq-reason',
  ErrorClass: 'x-dlq-error-class',
  ErrorMessage: 'x-dlq-error-message',
  /** The SQLSTATE, when PostgreSQL refused the record (e.g. 23514 for a CHECK constraint). */
  ErrorCode: 'x-dlq-error-code',
  OriginalTopic: 'x-dlq-original-topic',
  OriginalPartition: 'x-dlq-original-partition',
  OriginalOffset: 'x-dlq-original-offset',
  OriginalTimestamp: 'x-dlq-original-timestamp',
  ConsumerGroup: 'x-dlq-consumer-group',
  Attempts: 'x-dlq-attempts',
  FailedAt: 'x-dlq-failed-at',
  /** How many times the record was replayed from the DLQ (set by the replay command, kept on re-failure). */
  Replays: 'x-dlq-replays',
  ReplayedFrom: 'x-dlq-replayed-from',
} as const;

export const DLQ_REASONS = ['poison', 'invalid', 'conflicting-duplicate', 'unexpected'] as const;
export type DlqReason = (typeof DLQ_REASONS)[number];

export const MAX_ERROR_MESSAGE_BYTES = 1024;

/** Cuts a message to at most `max` UTF-8 bytes without splitting a character. */
export function truncateUtf8(text: string, max = MAX_ERROR_MESSAGE_BYTES): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= max) return text;
  const ellipsis = '…';
  let end = max - Buffer.byteLength(ellipsis);
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end -= 1; // not inside a multi-byte character
  return bytes.subarray(0, end).toString('utf8') + ellipsis;
}
