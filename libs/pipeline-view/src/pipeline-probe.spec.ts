import { firstValueFrom } from 'rxjs';
import { AppsProbe } from './apps-probe';
import { DatabaseProbe, DatabaseReading } from './database-probe';
import { DeadLetterTail } from './dead-letter-tail';
import { KafkaProbe, KafkaReading } from './kafka-probe';
import { NO_CONTROLS } from './pipeline-controls';
import { PipelineProbe } from './pipeline-probe';
import { DeadLetterEntry } from './pipeline-snapshot';

/** Kafka as the probe reads it: partitions' end offsets and commits, and the group's members. */
function kafkaReading(ends: number[], members: Record<string, number[]>, state = 'Stable'): KafkaReading {
  return {
    positions: ends.map((logEnd, partition) => ({
      partition,
      logStart: 0,
      logEnd,
      committed: logEnd,
      lag: 0,
    })),
    leaders: new Map(ends.map((_, partition) => [partition, 1])),
    group: {
      state,
      members: Object.entries(members).map(([clientId, partitions]) => ({
        clientId,
        host: '127.0.0.1',
        partitions,
      })),
    },
  };
}

function probe() {
  const kafka = {
    topic: 'food-orders',
    groupId: 'order-processors',
    read: jest.fn<Promise<KafkaReading>, []>(),
    partitionOf: jest.fn(() => 1),
  };
  const database = { read: jest.fn<Promise<DatabaseReading>, []>() };
  const letters: DeadLetterEntry[] = [];
  const tail = { entries: () => letters, problem: undefined };
  const apps = { read: jest.fn(() => Promise.resolve([])) };
  const subject = new PipelineProbe(
    kafka as unknown as KafkaProbe,
    database as unknown as DatabaseProbe,
    tail as unknown as DeadLetterTail,
    apps as unknown as AppsProbe,
    NO_CONTROLS,
  );
  // The stream replays its latest snapshot to a new page: the one just taken.
  const sample = async () => {
    await subject.sample();
    return firstValueFrom(subject.snapshots);
  };
  return { subject, kafka, database, letters, sample };
}

const rows = (count: number): DatabaseReading => ({ rows: count, p50Ms: 5, p99Ms: 20, recent: [] });

describe(PipelineProbe.name, () => {
  it('tells joins, leaves and moved partitions as timeline lines, with owners on the lanes', async () => {
    const { kafka, database, sample } = probe();
    database.read.mockResolvedValue(rows(10));
    kafka.read.mockResolvedValueOnce(kafkaReading([5, 5, 5], { 'c-1': [0, 1], 'c-2': [2] }));
    const first = await sample();
    expect(first.topic?.lanes.map((l) => l.owner)).toEqual(['c-1', 'c-1', 'c-2']);

    kafka.read.mockResolvedValueOnce(kafkaReading([9, 9, 9], { 'c-1': [0, 1, 2] }));
    const second = await sample();
    expect(second.timeline.map((t) => t.text)).toEqual(
      expect.arrayContaining(['c-2 left the group', 'partition 2 → c-1']),
    );
    expect(second.topic?.lanes.every((l) => l.inPerS >= 0)).toBe(true);
  });

  it('says what is missing, keeps the last figures meanwhile, and says when it is back', async () => {
    const { kafka, database, sample } = probe();
    kafka.read.mockResolvedValue(kafkaReading([5, 5, 5], { 'c-1': [0, 1, 2] }));
    database.read.mockResolvedValueOnce(rows(42));
    await sample();

    database.read.mockRejectedValueOnce(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
    const away = await sample();
    expect(away.missing).toEqual(['PostgreSQL: connect ECONNREFUSED 127.0.0.1:5432']);
    expect(away.database?.rows).toBe(42);

    database.read.mockResolvedValueOnce(rows(50));
    const back = await sample();
    expect(back.missing).toEqual([]);
    expect(back.timeline[0].text).toBe('PostgreSQL is back');
  });

  it('tells a dead letter that arrives while it watches, not those from before it started', async () => {
    const { kafka, database, letters, sample } = probe();
    kafka.read.mockResolvedValue(kafkaReading([5, 5, 5], {}));
    database.read.mockResolvedValue(rows(0));
    const letter = (offset: string, failedAt: number): DeadLetterEntry => ({
      dlqPartition: 0,
      dlqOffset: offset,
      reason: 'poison',
      errorClass: 'PoisonMessageError',
      error: 'value is not JSON',
      original: { topic: 'food-orders', partition: '1', offset: '7' },
      orderId: null,
      failedAt,
    });
    letters.push(letter('0', Date.now() - 60_000));
    await sample();
    letters.unshift(letter('1', Date.now()));
    const now = await sample();
    expect(now.timeline.filter((t) => t.kind === 'dlq').map((t) => t.text)).toEqual([
      'dead letter: poison (from partition 1 offset 7)',
    ]);
  });
});
