import { Message } from 'kafkajs';

export interface ChunkLimits {
  maxRecords: number;
  /** Most bytes of one send, framing included (see batchBytes). */
  maxBytes: number;
}

/** A record batch's own header (v2: offsets, CRC, producer id and epoch, sequence, count). */
export const BATCH_FRAMING_BYTES = 61;
/** The most a record's framing takes besides its key, value and header bytes: length, attributes,
 *  timestamp and offset deltas, and the varint lengths of key, value and each of a few headers. */
const RECORD_FRAMING_BYTES = 64;

/**
 * Splits records into sends the broker will take. A topic's max.message.bytes bounds the record
 * batch of one partition; keeping a whole send under it keeps every partition's share under it too,
 * whichever partitions the keys hash to. The count bound keeps each send's CPU cost small.
 */
export function* sendChunks<T>(
  records: Iterable<T>,
  limits: ChunkLimits,
  sizeOf: (record: T) => number,
): Generator<T[]> {
  let chunk: T[] = [];
  let bytes = BATCH_FRAMING_BYTES;
  for (const record of records) {
    const size = sizeOf(record);
    if (chunk.length > 0 && (chunk.length >= limits.maxRecords || bytes + size > limits.maxBytes)) {
      yield chunk;
      chunk = [];
      bytes = BATCH_FRAMING_BYTES;
    }
    chunk.push(record);
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}

/** The bytes a record takes in a record batch, at most: key, value, headers and framing. */
export function recordBytes({ key, value, headers }: Message): number {
  const length = (v: unknown): number =>
    v == null
      ? 0
      : Array.isArray(v)
        ? v.reduce((sum: number, x) => sum + length(x), 0)
        : Buffer.byteLength(v as Buffer | string);
  const headerBytes = Object.entries(headers ?? {}).reduce(
    (sum, [name, v]) => sum + Buffer.byteLength(name) + length(v),
    0,
  );
  return length(key) + length(value) + headerBytes + RECORD_FRAMING_BYTES;
}

const TOO_LARGE = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE']);

/** The broker refused a send for its size: the same send will be refused again, however often it is retried. */
export function isTooLarge(error: unknown): boolean {
  for (let cause = error; cause instanceof Error;) {
    if (TOO_LARGE.has((cause as { type?: string }).type ?? '')) return true;
    cause = (cause as { cause?: unknown; originalError?: unknown }).originalError ?? cause.cause;
  }
  return false;
}
