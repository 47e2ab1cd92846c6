import { Consumer } from 'kafkajs';
import { fakeLogger } from '../testing/fakes';
import { ConsumerState } from './consumer-state.service';

function fakeConsumer() {
  const listeners = new Map<string, (event: { payload: unknown }) => void>();
  const consumer = {
    events: { GROUP_JOIN: 'join', REBALANCING: 'rebalancing', CRASH: 'crash', STOP: 'stop' },
    on: (event: string, listener: (event: { payload: unknown }) => void) => listeners.set(event, listener),
  } as unknown as Consumer;
  const emit = (event: string, payload: unknown = {}) => listeners.get(event)?.({ payload });
  return { consumer, emit };
}

describe(ConsumerState.name, () => {
  it('is not ready until the consumer has joined its group', () => {
    const state = new ConsumerState(fakeLogger());
    const { consumer, emit } = fakeConsumer();
    state.watch(consumer);
    expect(state.readiness().consumer).toEqual({ ready: false, reason: 'consumer is starting' });
    emit('join', {
      groupId: 'order-processors',
      memberId: 'm-1',
      memberAssignment: { 'food-orders': [0, 2] },
    });
    expect(state.readiness().consumer).toEqual({ ready: true });
    expect(state.assignment).toEqual({ 'food-orders': [0, 2] });
    emit('rebalancing');
    expect(state.readiness().consumer.ready).toBe(true);
  });

  it('names a crash, and recovers when the consumer joins again', () => {
    const state = new ConsumerState(fakeLogger());
    const { consumer, emit } = fakeConsumer();
    state.watch(consumer);
    emit('crash', { error: new Error('broker went away'), restart: true });
    expect(state.readiness().consumer).toEqual({
      ready: false,
      reason: 'consumer crashed: Error: broker went away',
    });
    emit('join', { memberAssignment: {} });
    expect(state.readiness().consumer.ready).toBe(true);
    emit('stop');
    expect(state.readiness().consumer).toEqual({ ready: false, reason: 'consumer is stopped' });
  });

  it('reports a dependency it waits for until processing resumes, and signals closing', () => {
    const state = new ConsumerState(fakeLogger());
    state.waitingFor('database', 'connection refused');
    expect(state.readiness().waitingFor).toEqual({ dependency: 'database', reason: 'connection refused' });
    state.resumed();
    expect(state.readiness().waitingFor).toBeUndefined();
    expect(state.closingSignal.aborted).toBe(false);
    state.closing();
    expect(state.closingSignal.aborted).toBe(true);
  });
});
