import { Admin } from 'kafkajs';

/** Where a group stands on one partition of a topic. */
export interface PartitionPosition {
  partition: number;
  /** The first offset still in the log (older records were deleted by retention). */
  logStart: number;
  /** The offset the next record written will get. */
  logEnd: number;
  /** The group's committed offset (the next record it will read), or null before its first commit. */
  committed: number | null;
  /** Records written and not yet committed by the group. */
  lag: number;
}

/**
 * Lag = log-end offset − the group's committed offset, per partition. A partition the group has
 * not committed yet counts from its log-start offset: the consumer reads from the beginning
 * (fromBeginning), so all that the log still holds is waiting for it. The one arithmetic behind the
 * consumer's lag gauge, the demo's live line and the live view.
 */
export function partitionLag(
  ends: Array<{ partition: number; low: string; high: string }>,
  committed: Array<{ partition: number; offset: string }>,
): PartitionPosition[] {
  const commits = new Map(committed.map(({ partition, offset }) => [partition, Number(offset)]));
  return ends
    .map(({ partition, low, high }) => {
      const logStart = Number(low);
      const logEnd = Number(high);
      const offset = commits.get(partition);
      // kafkajs reports "no commit yet" as -1.
      const position = offset === undefined || offset < 0 ? null : offset;
      return {
        partition,
        logStart,
        logEnd,
        committed: position,
        lag: Math.max(0, logEnd - Math.max(position ?? logStart, logStart)),
      };
    })
    .sort((a, b) => a.partition - b.partition);
}

/** The group's position on every partition of `topic`, read through a long-lived admin client. */
export async function fetchPartitionLag(
  admin: Admin,
  groupId: string,
  topic: string,
): Promise<PartitionPosition[]> {
  const [ends, [committed]] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId, topics: [topic] }),
  ]);
  return partitionLag(ends, committed?.partitions ?? []);
}
