import { IHeaders, KafkaMessage, Message } from 'kafkajs';
import { describeError, sqlState } from './classify-error';
import { DlqHeader, DlqReason, truncateUtf8 } from './dead-letter.headers';

export interface DeadLetterFailure {
  reason: DlqReason;
  error: unknown;
  attempts: number;
}

export interface DeadLetterSource {
  topic: string;
  partition: number;
  message: KafkaMessage;
  consumerGroup: string;
}

/**
 * The dead-letter copy of a record: the same key and the original value bytes, untouched, so the
 * record can be replayed as it was sent; the original headers, plus x-dlq-* headers saying why.
 */
export function deadLetterRecord(
  source: DeadLetterSource,
  failure: DeadLetterFailure,
  now = new Date(),
): Message {
  const { message } = source;
  const error = describeError(failure.error);
  const code = sqlState(failure.error);
  const headers: IHeaders = {
    ...stripDlqHeaders(message.headers ?? {}),
    [DlqHeader.Reason]: failure.reason,
    [DlqHeader.ErrorClass]: error.name,
    [DlqHeader.ErrorMessage]: truncateUtf8(error.message),
    ...(code ? { [DlqHeader.ErrorCode]: code } : {}),
    [DlqHeader.OriginalTopic]: source.topic,
    [DlqHeader.OriginalPartition]: String(source.partition),
    [DlqHeader.OriginalOffset]: message.offset,
    [DlqHeader.OriginalTimestamp]: message.timestamp,
    [DlqHeader.ConsumerGroup]: source.consumerGroup,
    [DlqHeader.Attempts]: String(failure.attempts),
    [DlqHeader.FailedAt]: now.toISOString(),
  };
  return { key: message.key, value: message.value, headers };
}

/** Drops the x-dlq-* headers of an earlier failure, keeping the replay count (the loop guard reads it). */
export function stripDlqHeaders(headers: IHeaders, keep: string[] = [DlqHeader.Replays]): IHeaders {
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => !name.startsWith('x-dlq-') || keep.includes(name)),
  );
}
