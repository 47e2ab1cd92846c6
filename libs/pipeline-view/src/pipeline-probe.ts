import { Inject, Injectable } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { Observable, ReplaySubject } from 'rxjs';
import { AppsProbe } from './apps-probe';
import { DatabaseProbe, DatabaseReading } from './database-probe';
import { DeadLetterTail } from './dead-letter-tail';
import { KafkaProbe, KafkaReading } from './kafka-probe';
import { PIPELINE_CONTROLS, PipelineControls } from './pipeline-controls';
import { GroupMember, PartitionLane, PipelineSnapshot, TimelineEntry } from './pipeline-snapshot';
import { changesBetween } from './snapshot-changes';

export const SAMPLE_EVERY_MS = 1_000;
const HISTORY = 60;
const TIMELINE = 40;

/**
 * Samples the pipeline once a second, whoever is watching, and tells every open page the same
 * snapshot: the cost to the brokers and the database is one admin round and one query a second,
 * however many pages are open. What changed between two samples (a member joined, a partition moved,
 * a dead letter arrived, a dependency went away) becomes a line on the timeline.
 */
@Injectable()
export class PipelineProbe {
  private readonly subject = new ReplaySubject<PipelineSnapshot>(1);
  private sampling = false;
  /** The last snapshot, and the last reading of each side with when it was taken (rates span outages). */
  private last?: {
    kafka?: { reading: KafkaReading; at: number };
    database?: { reading: DatabaseReading; at: number };
    snapshot: PipelineSnapshot;
  };
  private readonly timeline: TimelineEntry[] = [];
  private readonly history: PipelineSnapshot['history'] = [];
  private readonly seenDeadLetters = new Set<string>();
  private readonly startedAt = Date.now();

  constructor(
    private readonly kafka: KafkaProbe,
    private readonly database: DatabaseProbe,
    private readonly deadLetters: DeadLetterTail,
    private readonly apps: AppsProbe,
    @Inject(PIPELINE_CONTROLS) private readonly controls: PipelineControls,
  ) {}

  get snapshots(): Observable<PipelineSnapshot> {
    return this.subject.asObservable();
  }

  /** A line on the timeline for something done to the pipeline (a button, the demo's own steps). */
  note(kind: TimelineEntry['kind'], text: string): void {
    this.timeline.unshift({ at: Date.now(), kind, text });
    this.timeline.length = Math.min(this.timeline.length, TIMELINE);
  }

  @Interval(SAMPLE_EVERY_MS)
  async sample(): Promise<void> {
    // A sample slower than a second (a broker that does not answer) is not stacked up behind.
    if (this.sampling) return;
    this.sampling = true;
    try {
      this.subject.next(await this.take());
    } finally {
      this.sampling = false;
    }
  }

  private async take(): Promise<PipelineSnapshot> {
    const at = Date.now();
    const [kafka, database, apps] = await Promise.all([
      this.kafka.read().then(
        (reading) => ({ reading }),
        (error: Error) => ({ error: `Kafka: ${error.message}` }),
      ),
      this.database.read().then(
        (reading) => ({ reading }),
        (error: Error) => ({ error: `PostgreSQL: ${error.message}` }),
      ),
      this.apps.read(),
    ]);
    const missing = [kafka, database].flatMap((part) => ('error' in part ? [part.error] : []));
    const kafkaNow = 'reading' in kafka ? kafka.reading : undefined;
    const databaseNow = 'reading' in database ? database.reading : undefined;
    const deadLetters = this.deadLetters.entries();
    if (kafkaNow && this.deadLetters.problem) missing.push(`DLQ: ${this.deadLetters.problem}`);

    const previous = this.last;
    const members = kafkaNow ? this.named(kafkaNow.group.members) : [];
    const partitions = kafkaNow?.positions.length ?? previous?.snapshot.topic?.lanes.length ?? 0;

    const snapshot: PipelineSnapshot = {
      at,
      missing,
      // While a part is missing, the page keeps its last figures, marked as such by `missing`.
      topic: kafkaNow
        ? { name: this.kafka.topic, lanes: this.lanes(kafkaNow, members, at, previous?.kafka) }
        : (previous?.snapshot.topic ?? null),
      group: kafkaNow
        ? { id: this.kafka.groupId, state: kafkaNow.group.state, members }
        : (previous?.snapshot.group ?? null),
      database: databaseNow
        ? {
            rows: databaseNow.rows,
            storedPerS: perSecond(
              databaseNow.rows,
              previous?.database?.reading.rows,
              at,
              previous?.database?.at,
            ),
            p50Ms: databaseNow.p50Ms,
            p99Ms: databaseNow.p99Ms,
            recent: databaseNow.recent.map((order) => ({
              ...order,
              partition: partitions > 0 ? this.kafka.partitionOf(order.customerId, partitions) : -1,
            })),
          }
        : (previous?.snapshot.database ?? null),
      deadLetters,
      apps,
      history: this.history,
      timeline: this.timeline,
      controls: {
        consumers: this.controls.consumers().map(({ name, running }) => ({ name, running })),
        brokers: this.controls.brokers(),
      },
    };
    const changes = changesBetween(previous?.snapshot, snapshot, this.seenDeadLetters, this.startedAt);
    for (const { kind, text } of changes) this.note(kind, text);
    if (databaseNow || kafkaNow) {
      this.history.push({
        at,
        storedPerS: snapshot.database?.storedPerS ?? 0,
        p99Ms: snapshot.database?.p99Ms ?? null,
        lag: (snapshot.topic?.lanes ?? []).reduce((sum, lane) => sum + lane.lag, 0),
      });
      if (this.history.length > HISTORY) this.history.shift();
    }
    this.last = {
      kafka: kafkaNow ? { reading: kafkaNow, at } : previous?.kafka,
      database: databaseNow ? { reading: databaseNow, at } : previous?.database,
      snapshot,
    };
    return { ...snapshot, history: [...this.history], timeline: [...this.timeline] };
  }

  /** Each partition's offsets, rates since the last reading, owner and leader. */
  private lanes(
    now: KafkaReading,
    members: GroupMember[],
    at: number,
    before?: { reading: KafkaReading; at: number },
  ): PartitionLane[] {
    const owners = new Map(members.flatMap((m) => m.partitions.map((p) => [p, m.name] as const)));
    return now.positions.map((position) => {
      const then = before?.reading.positions.find((p) => p.partition === position.partition);
      return {
        ...position,
        inPerS: perSecond(position.logEnd, then?.logEnd, at, before?.at),
        outPerS: perSecond(position.committed, then?.committed, at, before?.at),
        owner: owners.get(position.partition) ?? null,
        leader: now.leaders.get(position.partition) ?? -1,
      };
    });
  }

  /** Members by the demo's names for its processes (a consumer's client id ends with its pid). */
  private named(members: KafkaReading['group']['members']): GroupMember[] {
    const byPid = new Map(this.controls.consumers().map((c) => [String(c.pid), c.name]));
    return members
      .map((member) => ({
        ...member,
        name: byPid.get(member.clientId.split('-').pop() ?? '') ?? member.clientId,
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }
}

/** How fast a count grew between two readings; 0 without a previous one (or a count that is unknown). */
function perSecond(
  now: number | null,
  then: number | null | undefined,
  at: number,
  thenAt: number | undefined,
): number {
  if (now === null || then === null || then === undefined || thenAt === undefined || at <= thenAt) return 0;
  return Math.max(0, Math.round(((now - then) * 1000) / (at - thenAt)));
}
