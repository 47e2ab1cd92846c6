import { Test } from '@nestjs/testing';
import { KafkaStatus } from '@nestjs/microservices';
import { Consumer } from 'kafkajs';
import { Subject } from 'rxjs';
import { getLoggerToken } from 'nestjs-pino';
import { fakeLogger } from '../testing/fakes';
import { DeadLetterPublisher } from '@app/dlq';
import { BROKER_SILENCE_MS, ConsumerState, RESTARTS_BEFORE_DEAD } from './consumer-state';

function fakeConsumer() {
  const listeners = new Map<string, (event: { payload: unknown }) => void>();
  const consumer = {
    events: {
      GROUP_JOIN: 'join',
      REBALANCING: 'rebalancing',
      CRASH: 'crash',
      STOP: 'stop',
      FETCH: 'fetch',
      HEARTBEAT: 'heartbeat',
    },
    on: (event: string, listener: (event: { payload: unknown }) => void) => listeners.set(event, listener),
  } as unknown as Consumer;
  // As ServerKafka does: these kafkajs events also become Nest statuses.
  const status = new Subject<string>();
  const statusOf: Record<string, string> = { rebalancing: 'rebalancing', crash: 'crashed', stop: 'stopped' };
  const emit = (event: string, payload: unknown = {}) => {
    listeners.get(event)?.({ payload });
    if (statusOf[event]) status.next(statusOf[event]);
  };
  return { consumer, status, emit };
}

const joined = (assignment: Record<string, number[]>) => ({
  groupId: 'order-processors',
  memberId: 'm-1',
  memberAssignment: assignment,
});

const deadLetters = { assigned: jest.fn() };

async function aState(): Promise<ConsumerState> {
  const module = await Test.createTestingModule({
    providers: [
      ConsumerState,
      { provide: getLoggerToken(ConsumerState.name), useValue: fakeLogger() },
      { provide: DeadLetterPublisher, useValue: deadLetters },
    ],
  }).compile();
  return module.get(ConsumerState);
}

describe(ConsumerState.name, () => {
  it('is not ready until the consumer has joined its group', async () => {
    const state = await aState();
    const { consumer, status, emit } = fakeConsumer();
    state.watch(consumer, status as Subject<KafkaStatus>);
    expect(state.readiness().consumer).toEqual({ ready: false, reason: 'consumer is starting' });
    emit('join', joined({ 'food-orders': [0, 2] }));
    expect(state.readiness().consumer).toEqual({ ready: true });
    expect(state.assignment).toEqual({ 'food-orders': [0, 2] });
    // The DLQ producers of the new partitions start at once, fencing an earlier owner's transactions.
    expect(deadLetters.assigned).toHaveBeenCalledWith('order-processors', { 'food-orders': [0, 2] });
    emit('rebalancing');
    expect(state.readiness().consumer.ready).toBe(true);
  });

  it('names a crash, and recovers when the consumer joins again', async () => {
    const state = await aState();
    const { consumer, status, emit } = fakeConsumer();
    state.watch(consumer, status as Subject<KafkaStatus>);
    emit('crash', { error: new Error('broker went away'), restart: true });
    expect(state.readiness().consumer).toEqual({
      ready: false,
      reason: 'consumer crashed: Error: broker went away',
    });
    emit('join', joined({}));
    expect(state.readiness().consumer.ready).toBe(true);
    emit('stop');
    expect(state.readiness().consumer).toEqual({ ready: false, reason: 'consumer is stopped' });
  });

  it('is not ready when the broker has not answered a fetch or heartbeat for a while', async () => {
    const state = await aState();
    const { consumer, status, emit } = fakeConsumer();
    state.watch(consumer, status as Subject<KafkaStatus>);
    emit('join', joined({}));
    const later = Date.now() + BROKER_SILENCE_MS + 5_000;
    expect(state.readiness(later).consumer).toEqual({
      ready: false,
      reason: expect.stringMatching(/^no answer from the Kafka broker for \d+ s$/),
    });
    emit('heartbeat');
    expect(state.readiness().consumer.ready).toBe(true);
  });

  it('reports each held partition with what it waits for, until it is released or moves away', async () => {
    const state = await aState();
    const { consumer, status, emit } = fakeConsumer();
    state.watch(consumer, status as Subject<KafkaStatus>);
    emit('join', joined({ 'food-orders': [0, 1] }));
    const wait = { dependency: 'database', reason: 'connection refused', attempt: 2, retryInMs: 500 };
    state.holding('food-orders', 0, wait);
    state.holding('food-orders', 1, { ...wait, dependency: 'dead-letter topic' });
    expect(state.readiness().waiting).toEqual([
      {
        topic: 'food-orders',
        partition: 0,
        dependency: 'database',
        reason: 'connection refused',
        attempt: 2,
      },
      {
        topic: 'food-orders',
        partition: 1,
        dependency: 'dead-letter topic',
        reason: 'connection refused',
        attempt: 2,
      },
    ]);
    state.released('food-orders', 0);
    expect(state.readiness().waiting.map((w) => w.partition)).toEqual([1]);
    emit('join', joined({ 'food-orders': [0] }));
    expect(state.readiness().waiting).toEqual([]);
  });

  it('stays alive while restarts may help, and says it is not once they have failed too often', async () => {
    const state = await aState();
    const { consumer, status, emit } = fakeConsumer();
    state.watch(consumer, status as Subject<KafkaStatus>);
    const dead = jest.fn();
    state.onDead(dead);
    for (let attempt = 1; attempt < RESTARTS_BEFORE_DEAD; attempt += 1) {
      state.restarting('KafkaJSNonRetriableError: The coordinator is not aware of this member', attempt, 500);
      expect(state.liveness().alive).toBe(true);
    }
    state.restarting(
      'KafkaJSNonRetriableError: The coordinator is not aware of this member',
      RESTARTS_BEFORE_DEAD,
      500,
    );
    expect(state.liveness()).toEqual({
      alive: false,
      reason: expect.stringContaining('stopped 5 times without rejoining its group'),
    });
    expect(dead).toHaveBeenCalledTimes(1);
    emit('join', joined({}));
    expect(state.liveness().alive).toBe(true);
  });
});
