import { InvalidMessageError, PoisonMessageError } from '@app/dlq';
import { CallHandler, ExecutionContext } from '@nestjs/common';
import { KafkaContext } from '@nestjs/microservices';
import { defer, lastValueFrom, of } from 'rxjs';
import { fakeLogger } from '../testing/fakes';
import { ConsumerState } from './consumer-state.service';
import { MessageDeliveryInterceptor, ShutdownInterruptedError } from './message-delivery.interceptor';
import { ProcessingStats } from './processing-stats.service';

const refused = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

function kafkaContext() {
  const commitOffsets = jest.fn().mockResolvedValue(undefined);
  const heartbeat = jest.fn().mockResolvedValue(undefined);
  const context = {
    getTopic: () => 'food-orders',
    getPartition: () => 2,
    getMessage: () => ({ offset: '41' }),
    getConsumer: () => ({ commitOffsets }),
    getHeartbeat: () => heartbeat,
  } as unknown as KafkaContext;
  const execution = {
    getType: () => 'rpc',
    switchToRpc: () => ({ getContext: () => context }),
  } as unknown as ExecutionContext;
  return { execution, commitOffsets, heartbeat };
}

describe(MessageDeliveryInterceptor.name, () => {
  let state: ConsumerState;
  let stats: ProcessingStats;
  let interceptor: MessageDeliveryInterceptor;

  beforeEach(() => {
    state = new ConsumerState(fakeLogger());
    stats = new ProcessingStats(fakeLogger());
    interceptor = new MessageDeliveryInterceptor(state, stats, fakeLogger());
  });

  const deliver = (execution: ExecutionContext, handler: () => Promise<unknown>) =>
    lastValueFrom(interceptor.intercept(execution, { handle: () => defer(handler) } as CallHandler), {
      defaultValue: undefined,
    });

  it('commits offset + 1 after the handler has stored the order', async () => {
    const { execution, commitOffsets } = kafkaContext();
    const createdAt = new Date();
    await deliver(execution, () => Promise.resolve({ result: 'stored', orderId: 'ORD-1', createdAt }));
    expect(commitOffsets).toHaveBeenCalledWith([{ topic: 'food-orders', partition: 2, offset: '42' }]);
    expect(stats.totals.stored).toBe(1);
  });

  it.each([
    ['poison', new PoisonMessageError('value is empty')],
    ['invalid', new InvalidMessageError(['status: status must be one of …'])],
  ])('commits past a %s record at once, without retrying it', async (reason, error) => {
    const { execution, commitOffsets } = kafkaContext();
    const handler = jest.fn().mockRejectedValue(error);
    await deliver(execution, handler);
    expect(handler).toHaveBeenCalledTimes(1);
    expect(commitOffsets).toHaveBeenCalledWith([{ topic: 'food-orders', partition: 2, offset: '42' }]);
    expect(stats.totals[reason as 'poison' | 'invalid']).toBe(1);
  });

  it('waits out a database outage while heartbeating, reports it, and commits only once the write succeeds', async () => {
    const { execution, commitOffsets, heartbeat } = kafkaContext();
    const readinessDuringOutage: unknown[] = [];
    const handler = jest
      .fn()
      .mockRejectedValueOnce(refused())
      .mockImplementationOnce(() => {
        readinessDuringOutage.push(state.readiness().waitingFor);
        return Promise.reject(refused());
      })
      .mockResolvedValueOnce({ result: 'stored', orderId: 'ORD-1', createdAt: new Date() });

    await deliver(execution, handler);

    expect(handler).toHaveBeenCalledTimes(3);
    expect(heartbeat).toHaveBeenCalled();
    expect(readinessDuringOutage).toEqual([
      { dependency: 'database', reason: 'connect ECONNREFUSED 127.0.0.1:5432' },
    ]);
    expect(state.readiness().waitingFor).toBeUndefined();
    expect(commitOffsets).toHaveBeenCalledTimes(1);
    expect(stats.totals.retries).toBe(2);
  });

  it('gives up a retry wait on shutdown without committing, so the record is redelivered', async () => {
    const { execution, commitOffsets } = kafkaContext();
    const handler = jest.fn().mockImplementation(() => {
      state.closing();
      return Promise.reject(refused());
    });
    await expect(deliver(execution, handler)).rejects.toThrow(ShutdownInterruptedError);
    expect(commitOffsets).not.toHaveBeenCalled();
  });

  it('skips an unexpected error after the quick retries', async () => {
    const { execution, commitOffsets } = kafkaContext();
    const handler = jest.fn().mockRejectedValue(new TypeError('cannot read properties of undefined'));
    await deliver(execution, handler);
    expect(handler).toHaveBeenCalledTimes(3);
    expect(commitOffsets).toHaveBeenCalledTimes(1);
    expect(stats.totals.unexpected).toBe(1);
  });

  it('leaves HTTP requests alone', async () => {
    const execution = { getType: () => 'http' } as unknown as ExecutionContext;
    const result = interceptor.intercept(execution, { handle: () => of('ok') });
    await expect(lastValueFrom(result)).resolves.toBe('ok');
  });
});
