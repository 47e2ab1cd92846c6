import { EventEmitter } from 'node:events';
import { Kafka } from 'kafkajs';
import { replayDeadLetters, ReplayOptions } from './dlq-replayer';

const CRASH = 'consumer.crash';

/** A Kafka client whose replay consumer crashes once it runs, and a record of what the replay left behind. */
function aClientWhoseConsumerCrashes(error: Error) {
  const deletedGroups: string[][] = [];
  const consumer = Object.assign(new EventEmitter(), {
    events: { CRASH, END_BATCH_PROCESS: 'consumer.end_batch_process' },
    connect: jest.fn().mockResolvedValue(undefined),
    subscribe: jest.fn().mockResolvedValue(undefined),
    disconnect: jest.fn().mockResolvedValue(undefined),
    run: jest.fn(() => {
      // kafkajs's run() resolves once the consumer started; a crash arrives later, as an event.
      setImmediate(() => consumer.emit(CRASH, { payload: { error, restart: false } }));
      return Promise.resolve();
    }),
  });
  const admin = {
    connect: jest.fn().mockResolvedValue(undefined),
    disconnect: jest.fn().mockResolvedValue(undefined),
    fetchTopicOffsets: jest.fn().mockResolvedValue([{ partition: 0, low: '0', high: '5' }]),
    fetchOffsets: jest.fn().mockResolvedValue([{ topic: 'orders.dlq', partitions: [] }]),
    setOffsets: jest.fn().mockResolvedValue(undefined),
    deleteGroups: jest.fn((groups: string[]) => {
      deletedGroups.push(groups);
      return Promise.resolve([]);
    }),
  };
  const producer = {
    connect: jest.fn().mockResolvedValue(undefined),
    disconnect: jest.fn().mockResolvedValue(undefined),
    send: jest.fn(),
  };
  const kafka = { admin: () => admin, consumer: () => consumer, producer: () => producer };
  return { kafka: kafka as unknown as Kafka, consumer, producer, deletedGroups };
}

const options: ReplayOptions = {
  dlqTopic: 'orders.dlq',
  targetTopic: 'orders',
  group: 'order-processors.dlq-replay',
  maxReplays: 3,
};

/** Settles as `work` does, or rejects after `ms`: what a user would call a hang. */
function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still running after ${ms} ms`)), ms);
  });
  return Promise.race([work, hang]).finally(() => clearTimeout(timer));
}

describe(replayDeadLetters.name, () => {
  it('fails with the consumer’s error when the consumer crashes, instead of waiting for ever', async () => {
    const { kafka, consumer, producer } = aClientWhoseConsumerCrashes(new Error('the broker went away'));
    await expect(within(2_000, replayDeadLetters(kafka, options))).rejects.toThrow('the broker went away');
    expect(consumer.disconnect).toHaveBeenCalled();
    expect(producer.disconnect).toHaveBeenCalled();
  });

  it('removes the throwaway group of a dry run, even one that failed', async () => {
    const { kafka, deletedGroups } = aClientWhoseConsumerCrashes(new Error('the broker went away'));
    await expect(within(2_000, replayDeadLetters(kafka, { ...options, dryRun: true }))).rejects.toThrow();
    expect(deletedGroups).toEqual([[expect.stringMatching(/^order-processors\.dlq-replay\.dry-run-\d+$/)]]);
  });
});
