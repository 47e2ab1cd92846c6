import { Consumer, EachBatchPayload, KafkaJSProtocolError, KafkaMessage } from 'kafkajs';
import { KafkaBatchContext } from './kafka-batch.context';
import { CommittedBatch, KafkaBatchObserver, KafkaBatchServer } from './kafka-batch.server';
import { RetryBatchException } from './retry-batch.exception';

const TOPIC = 'food-orders';

function messages(from: number, count: number): KafkaMessage[] {
  return Array.from({ length: count }, (_, i) => ({
    key: Buffer.from('CUST-00042'),
    value: Buffer.from(`{"n":${from + i}}`),
    headers: {},
    offset: String(from + i),
    timestamp: '1763821800000',
    attributes: 0,
  }));
}

/** A kafkajs consumer that records what the server asks of it, and lets the test deliver batches. */
function fakeConsumer() {
  let eachBatch: ((payload: EachBatchPayload) => Promise<void>) | undefined;
  const commitOffsets = jest.fn().mockResolvedValue(undefined);
  const paused = new Set<number>();
  const listeners = new Map<string, Array<(event: { payload: unknown }) => void>>();
  const consumer = {
    events: { GROUP_JOIN: 'group_join', CRASH: 'crash' },
    on: jest.fn((event: string, listener: (event: { payload: unknown }) => void) => {
      listeners.set(event, [...(listeners.get(event) ?? []), listener]);
    }),
    connect: jest.fn().mockResolvedValue(undefined),
    disconnect: jest.fn().mockResolvedValue(undefined),
    subscribe: jest.fn().mockResolvedValue(undefined),
    run: jest.fn(({ eachBatch: handler }: { eachBatch: typeof eachBatch }) => {
      eachBatch = handler;
      return Promise.resolve();
    }),
    pause: jest.fn(),
    commitOffsets,
  };
  const resolved: string[] = [];
  const heartbeat = jest.fn().mockResolvedValue(undefined);
  /** Emits a kafkajs instrumentation event to the server's listeners. */
  const emit = (event: string, payload: unknown) => listeners.get(event)?.forEach((l) => l({ payload }));
  /** Delivers a partition's batch the way kafkajs's runner does; resolves when eachBatch returns. */
  const deliver = (partition: number, batch: KafkaMessage[]) =>
    eachBatch!({
      batch: { topic: TOPIC, partition, messages: batch },
      resolveOffset: (offset: string) => resolved.push(`${partition}:${offset}`),
      // The batch's own commit: kafkajs hands the broker's error back unwrapped.
      commitOffsetsIfNecessary: ({ topics: [{ partitions }] }: { topics: [{ partitions: unknown[] }] }) =>
        commitOffsets(partitions) as Promise<void>,
      heartbeat,
      isRunning: () => true,
      isStale: () => false,
      pause: () => {
        paused.add(partition);
        return () => paused.delete(partition);
      },
    } as unknown as EachBatchPayload);
  const committed = () =>
    commitOffsets.mock.calls.map(
      ([[{ partition, offset }]]: [[{ partition: number; offset: string }]]) => `${partition}:${offset}`,
    );
  return { consumer, deliver, committed, resolved, paused, commitOffsets, heartbeat, emit };
}

function fakeObserver() {
  return {
    watch: jest.fn(),
    closing: jest.fn(),
    holding: jest.fn(),
    released: jest.fn(),
    restarting: jest.fn(),
    committed: jest.fn<void, [CommittedBatch]>(),
  } satisfies KafkaBatchObserver;
}

async function startServer(handler: (batch: KafkaMessage[], context: KafkaBatchContext) => Promise<unknown>) {
  const kafka = fakeConsumer();
  const observer = fakeObserver();
  const server = new KafkaBatchServer(
    { client: { brokers: ['localhost:9092'] }, postfixId: '', consumer: { groupId: 'order-processors' } },
    { topics: { orders: TOPIC }, maxBatchSize: 2, retry: { baseMs: 100, capMs: 1_000 }, closeGraceMs: 50 },
    [observer],
  );
  server.createClient = () => ({ consumer: () => kafka.consumer as unknown as Consumer }) as never;
  server.addHandler(
    'orders',
    (data: KafkaMessage[], context: KafkaBatchContext) => handler(data, context),
    true,
  );
  await new Promise<void>((done) => void server.listen(() => done()));
  return { server, kafka, observer };
}

const rebalancing = () =>
  Object.assign(new KafkaJSProtocolError('The group is rebalancing, so a rejoin is needed'), {
    type: 'REBALANCE_IN_PROGRESS',
    code: 27,
  });

describe(KafkaBatchServer.name, () => {
  afterEach(() => jest.useRealTimers());

  it('tells its observers about a batch only once it is committed, with what the pipeline emitted', async () => {
    const { kafka, observer } = await startServer(() => Promise.resolve({ stored: 2 }));
    kafka.commitOffsets.mockRejectedValueOnce(rebalancing());
    await expect(kafka.deliver(0, messages(0, 2))).rejects.toMatchObject({ type: 'REBALANCE_IN_PROGRESS' });
    expect(observer.committed).not.toHaveBeenCalled();

    await kafka.deliver(0, messages(0, 2));
    expect(observer.committed).toHaveBeenCalledTimes(1);
    expect(observer.committed.mock.calls[0][0]).toEqual({
      topic: TOPIC,
      partition: 0,
      records: 2,
      result: { stored: 2 },
      durationMs: expect.any(Number),
    });
  });

  it('never runs a committed batch again because an observer failed (a metric that throws)', async () => {
    let runs = 0;
    const { kafka, observer } = await startServer(() => Promise.resolve((runs += 1)));
    observer.committed.mockImplementationOnce(() => {
      throw new TypeError('the metrics registry is gone');
    });
    await kafka.deliver(0, messages(0, 2));
    expect(runs).toBe(1);
    expect(kafka.committed()).toEqual(['0:2']);
    expect(kafka.resolved).toEqual(['0:1']);
  });

  it('subscribes to the topic configured for the pattern and commits each batch once, at its last offset + 1', async () => {
    const handled: string[][] = [];
    const { kafka } = await startServer((batch) => {
      handled.push(batch.map((m) => m.offset));
      return Promise.resolve();
    });
    expect(kafka.consumer.subscribe).toHaveBeenCalledWith(expect.objectContaining({ topics: [TOPIC] }));
    expect(kafka.consumer.run).toHaveBeenCalledWith(expect.objectContaining({ autoCommit: false }));

    await kafka.deliver(1, messages(10, 5));

    expect(handled).toEqual([['10', '11'], ['12', '13'], ['14']]);
    expect(kafka.committed()).toEqual(['1:12', '1:14', '1:15']);
    expect(kafka.resolved).toEqual(['1:11', '1:13', '1:14']);
  });

  it('hands the handler its partition, records and attempt through the context', async () => {
    const seen: unknown[] = [];
    const { kafka } = await startServer((batch, context) => {
      seen.push([
        context.getTopic(),
        context.getPartition(),
        context.getMessages() === batch,
        context.getAttempt(),
      ]);
      return Promise.resolve();
    });
    await kafka.deliver(2, messages(0, 1));
    expect(seen).toEqual([[TOPIC, 2, true, 1]]);
  });

  it('gives a refused commit to kafkajs as it is, re-runs nothing, and commits it first when the partition comes back', async () => {
    const handled: string[][] = [];
    const { kafka } = await startServer((batch) => {
      handled.push(batch.map((m) => m.offset));
      return Promise.resolve();
    });
    kafka.commitOffsets.mockRejectedValueOnce(rebalancing());

    await expect(kafka.deliver(0, messages(0, 2))).rejects.toMatchObject({ type: 'REBALANCE_IN_PROGRESS' });
    // After the rejoin, kafkajs fetches again from the last committed offset.
    await kafka.deliver(0, messages(0, 3));

    expect(handled).toEqual([['0', '1'], ['2']]);
    expect(kafka.committed()).toEqual(['0:2', '0:2', '0:3']);
  });

  it('holds a batch back on RetryBatchException: partition paused, nothing committed, retried with backoff until it succeeds', async () => {
    jest.useFakeTimers();
    const attempts: number[] = [];
    const { kafka, observer } = await startServer((_batch, context) => {
      attempts.push(context.getAttempt());
      return context.getAttempt() < 3
        ? Promise.reject(new RetryBatchException('database', 'connect ECONNREFUSED'))
        : Promise.resolve();
    });

    await kafka.deliver(1, messages(5, 2));
    expect(kafka.paused.has(1)).toBe(true);
    expect(kafka.committed()).toEqual([]);
    expect(observer.holding).toHaveBeenLastCalledWith(
      TOPIC,
      1,
      expect.objectContaining({ dependency: 'database', reason: 'connect ECONNREFUSED', attempt: 1 }),
    );
    jest.advanceTimersByTime(1_000);
    expect(kafka.paused.has(1)).toBe(false);

    await kafka.deliver(1, messages(5, 2)); // kafkajs fetches the same records again after the resume
    jest.advanceTimersByTime(1_000);
    await kafka.deliver(1, messages(5, 2));

    expect(attempts).toEqual([1, 2, 3]);
    expect(kafka.committed()).toEqual(['1:7']);
    expect(observer.released).toHaveBeenCalledWith(TOPIC, 1);
  });

  it('holds a batch back on any other error too, rather than commit past records it did not finish', async () => {
    const { kafka, observer } = await startServer(() => Promise.reject(new Error('bug')));
    await kafka.deliver(0, messages(0, 1));
    expect(kafka.committed()).toEqual([]);
    expect(observer.holding).toHaveBeenCalledWith(
      TOPIC,
      0,
      expect.objectContaining({ dependency: 'handler' }),
    );
  });

  it('on close, finishes and commits the batch in flight, starts no other, and leaves a held batch uncommitted', async () => {
    let finish!: () => void;
    let started!: () => void;
    const handling = new Promise<void>((done) => (started = done));
    const { server, kafka, observer } = await startServer((batch) => {
      if (batch[0].offset !== '0') return Promise.reject(new RetryBatchException('database', 'down'));
      started();
      return new Promise<void>((done) => (finish = done));
    });
    await kafka.deliver(2, messages(7, 1)); // held back
    const inFlight = kafka.deliver(1, messages(0, 4));
    await handling;
    const closed = server.close();
    expect(observer.closing).toHaveBeenCalled();
    expect(kafka.consumer.pause).toHaveBeenCalledWith([{ topic: TOPIC }]);
    finish();
    await inFlight;
    await closed;
    expect(kafka.committed()).toEqual(['1:2']);
    expect(kafka.consumer.disconnect).toHaveBeenCalled();
  });

  it('hands kafkajs the error of a heartbeat between steps as it is, so it rejoins, and commits nothing', async () => {
    const { kafka } = await startServer(async (_batch, context) => {
      await context.getHeartbeat()();
    });
    kafka.heartbeat.mockRejectedValueOnce(rebalancing());
    await expect(kafka.deliver(0, messages(0, 2))).rejects.toMatchObject({ type: 'REBALANCE_IN_PROGRESS' });
    expect(kafka.committed()).toEqual([]);
  });

  it('does not commit a batch whose handler committed it (dead letters and offset in one transaction)', async () => {
    const { kafka } = await startServer((_batch, context) => {
      expect(context.getCommitOffset()).toBe('6');
      expect(context.getGroupId()).toBe('order-processors');
      context.offsetCommitted();
      return Promise.resolve();
    });
    await kafka.deliver(0, messages(5, 1));
    expect(kafka.committed()).toEqual([]);
    expect(kafka.resolved).toEqual(['0:5']);
  });

  it('starts the consumer again after a crash kafkajs does not restart after, and counts the tries until it joins', async () => {
    jest.useFakeTimers();
    const { kafka, observer } = await startServer(() => Promise.resolve());
    const error = Object.assign(new Error('The coordinator is not aware of this member'), {
      name: 'KafkaJSNonRetriableError',
    });
    kafka.emit('crash', { error, restart: false });
    kafka.emit('crash', { error, restart: false });
    expect(observer.restarting).toHaveBeenLastCalledWith(
      expect.stringContaining('not aware'),
      2,
      expect.any(Number),
    );
    await jest.advanceTimersByTimeAsync(1_000);
    expect(kafka.consumer.connect).toHaveBeenCalledTimes(2); // the start, and the one restart
    expect(kafka.consumer.run).toHaveBeenCalledTimes(2);
    kafka.emit('group_join', {});
    kafka.emit('crash', { error, restart: false });
    expect(observer.restarting).toHaveBeenLastCalledWith(expect.any(String), 1, expect.any(Number));
    // A crash kafkajs restarts after is kafkajs's to handle.
    kafka.emit('crash', { error, restart: true });
    expect(observer.restarting).toHaveBeenCalledTimes(3);
  });

  it('on close, abandons uncommitted a batch that outlives the grace, and stops its next step', async () => {
    let started!: () => void;
    const handling = new Promise<void>((done) => (started = done));
    let stepAfterClose: unknown;
    let release!: () => void;
    const { server, kafka } = await startServer(async (_batch, context) => {
      started();
      await new Promise<void>((done) => (release = done)); // a statement on a silent database
      stepAfterClose = await context
        .getHeartbeat()()
        .catch((error: unknown) => error);
    });
    const inFlight = kafka.deliver(0, messages(0, 2));
    await handling;
    await server.close();
    await inFlight;
    expect(kafka.committed()).toEqual([]);
    expect(kafka.consumer.disconnect).toHaveBeenCalled();
    release();
    await new Promise((done) => setImmediate(done));
    expect(stepAfterClose).toMatchObject({ name: 'BatchAbandonedError' });
  });

  it('closes cleanly between a crash and its restart: the restart is called off', async () => {
    jest.useFakeTimers();
    const { server, kafka } = await startServer(() => Promise.resolve());
    kafka.emit('crash', { error: new Error('The coordinator is not aware of this member'), restart: false });
    await server.close();
    await jest.advanceTimersByTimeAsync(10_000);
    expect(kafka.consumer.run).toHaveBeenCalledTimes(1); // the start only
    expect(kafka.consumer.disconnect).toHaveBeenCalled();
  });
});
