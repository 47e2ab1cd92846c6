import { PipelineSnapshot, TimelineEntry } from './pipeline-snapshot';

export interface Change {
  kind: TimelineEntry['kind'];
  text: string;
}

/**
 * What the timeline tells between two snapshots: a part unreachable or back, the group's state and
 * members, a partition's new owner, a new dead letter (one written before the view started is listed,
 * not told as news). `seenDeadLetters` keeps the dead letters already told.
 */
export function changesBetween(
  before: PipelineSnapshot | undefined,
  now: PipelineSnapshot,
  seenDeadLetters: Set<string>,
  startedAt: number,
): Change[] {
  const changes: Change[] = [];
  const note = (kind: TimelineEntry['kind'], text: string) => changes.push({ kind, text });
  for (const line of now.missing) {
    if (!before?.missing.includes(line)) note('fault', `unreachable: ${line}`);
  }
  for (const line of before?.missing ?? []) {
    const part = line.split(':')[0];
    if (!now.missing.some((l) => l.startsWith(`${part}:`))) note('fault', `${part} is back`);
  }
  if (now.group && before?.group) {
    if (now.group.state !== before.group.state) {
      note('group', `group ${before.group.state} → ${now.group.state}`);
    }
    const names = (s: PipelineSnapshot) => new Set(s.group?.members.map((m) => m.name));
    const [was, is] = [names(before), names(now)];
    for (const name of is) if (!was.has(name)) note('group', `${name} joined the group`);
    for (const name of was) if (!is.has(name)) note('group', `${name} left the group`);
    for (const lane of now.topic?.lanes ?? []) {
      const old = before.topic?.lanes.find((l) => l.partition === lane.partition)?.owner;
      if (lane.owner && lane.owner !== old) note('group', `partition ${lane.partition} → ${lane.owner}`);
    }
  } else if (now.group && !before) {
    note('group', `group ${now.group.id}: ${now.group.state}, ${now.group.members.length} member(s)`);
  }
  for (const letter of [...now.deadLetters].reverse()) {
    const key = `${letter.dlqPartition}/${letter.dlqOffset}`;
    if (seenDeadLetters.has(key)) continue;
    seenDeadLetters.add(key);
    // Dead letters from before the view started are listed, not told as news.
    if (letter.failedAt >= startedAt) {
      note(
        'dlq',
        `dead letter: ${letter.reason} (from partition ${letter.original.partition} offset ${letter.original.offset})`,
      );
    }
  }
  return changes;
}
