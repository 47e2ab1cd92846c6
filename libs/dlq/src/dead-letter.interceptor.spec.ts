import { ConsumerConfig, KafkaConfig } from '@app/config';
import { CallHandler, ExecutionContext } from '@nestjs/common';
import { KafkaContext } from '@nestjs/microservices';
import { KafkaMessage } from 'kafkajs';
import { PinoLogger } from 'nestjs-pino';
import { defer, lastValueFrom, of } from 'rxjs';
import { DeadLetterInterceptor, ShutdownInterruptedError } from './dead-letter.interceptor';
import { DeliveryMonitor, DeliveryOutcome } from './delivery-monitor';
import { ConflictingDuplicateError, InvalidMessageError, PoisonMessageError } from './message-errors';

const kafkaSettings = { topics: { orders: 'food-orders', dlq: 'food-orders.dlq' } } as KafkaConfig;
const consumerSettings: ConsumerConfig = { groupId: 'order-processors', concurrency: 3 };
const logger = { warn: jest.fn(), info: jest.fn() } as unknown as PinoLogger;
const refused = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

class FakeMonitor extends DeliveryMonitor {
  readonly closing = new AbortController();
  readonly outcomes: DeliveryOutcome[] = [];
  waiting: string | undefined;
  get closingSignal() {
    return this.closing.signal;
  }
  delivered(outcome: DeliveryOutcome) {
    this.outcomes.push(outcome);
  }
  retrying(dependency: string) {
    this.waiting = dependency;
  }
  recovered() {
    this.waiting = undefined;
  }
}

const MESSAGE: KafkaMessage = {
  key: Buffer.from('CUST-00042'),
  value: Buffer.from([0x7b, 0xff, 0x00]), // not even UTF-8: must reach the DLQ byte for byte
  headers: { 'x-correlation-id': Buffer.from('ORD-1') },
  offset: '41',
  timestamp: '1763821800000',
  attributes: 0,
};

function kafkaContext() {
  const commitOffsets = jest.fn().mockResolvedValue(undefined);
  const heartbeat = jest.fn().mockResolvedValue(undefined);
  const send = jest.fn().mockResolvedValue([]);
  const context = {
    getTopic: () => 'food-orders',
    getPartition: () => 2,
    getMessage: () => MESSAGE,
    getConsumer: () => ({ commitOffsets }),
    getHeartbeat: () => heartbeat,
    getProducer: () => ({ send }),
  } as unknown as KafkaContext;
  const execution = {
    getType: () => 'rpc',
    switchToRpc: () => ({ getContext: () => context }),
  } as unknown as ExecutionContext;
  return { execution, commitOffsets, heartbeat, send };
}

const NEXT_OFFSET = [{ topic: 'food-orders', partition: 2, offset: '42' }];

describe(DeadLetterInterceptor.name, () => {
  let monitor: FakeMonitor;
  let interceptor: DeadLetterInterceptor;

  beforeEach(() => {
    monitor = new FakeMonitor();
    interceptor = new DeadLetterInterceptor(monitor, kafkaSettings, consumerSettings, logger);
  });

  const deliver = (execution: ExecutionContext, handler: () => Promise<unknown>) =>
    lastValueFrom(interceptor.intercept(execution, { handle: () => defer(handler) } as CallHandler), {
      defaultValue: undefined,
    });

  it('commits offset + 1 after the handler has stored the order', async () => {
    const { execution, commitOffsets, send } = kafkaContext();
    await deliver(execution, () => Promise.resolve({ result: 'stored', createdAt: new Date() }));
    expect(commitOffsets).toHaveBeenCalledWith(NEXT_OFFSET);
    expect(send).not.toHaveBeenCalled();
    expect(monitor.outcomes).toEqual(['stored']);
  });

  it.each([
    ['poison', new PoisonMessageError('value is not valid UTF-8')],
    ['invalid', new InvalidMessageError(['status: status must be one of …'])],
    [
      'conflicting-duplicate',
      new ConflictingDuplicateError('order_id ORD-1 is already stored with different content'),
    ],
  ])(
    'writes a %s record to the DLQ as it was sent, then commits past it, without retrying',
    async (reason, error) => {
      const { execution, commitOffsets, send } = kafkaContext();
      const handler = jest.fn().mockRejectedValue(error);
      await deliver(execution, handler);

      expect(handler).toHaveBeenCalledTimes(1);
      expect(send).toHaveBeenCalledTimes(1);
      const [{ topic, acks, messages }] = send.mock.calls[0] as [
        { topic: string; acks: number; messages: Array<Record<string, unknown>> },
      ];
      expect({ topic, acks }).toEqual({ topic: 'food-orders.dlq', acks: -1 });
      expect(messages[0].key).toEqual(MESSAGE.key);
      expect(messages[0].value).toEqual(MESSAGE.value);
      expect(messages[0].headers).toEqual({
        'x-correlation-id': MESSAGE.headers['x-correlation-id'],
        'x-dlq-reason': reason,
        'x-dlq-error-class': error.name,
        'x-dlq-error-message': error.message,
        'x-dlq-original-topic': 'food-orders',
        'x-dlq-original-partition': '2',
        'x-dlq-original-offset': '41',
        'x-dlq-original-timestamp': '1763821800000',
        'x-dlq-consumer-group': 'order-processors',
        'x-dlq-attempts': '1',
        'x-dlq-failed-at': expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });
      expect(commitOffsets).toHaveBeenCalledWith(NEXT_OFFSET);
      expect(send.mock.invocationCallOrder[0]).toBeLessThan(commitOffsets.mock.invocationCallOrder[0]);
      expect(monitor.outcomes).toEqual([reason]);
    },
  );

  it('waits out a database outage while heartbeating, reports it, and never dead-letters the order', async () => {
    const { execution, commitOffsets, heartbeat, send } = kafkaContext();
    const waitingDuringOutage: unknown[] = [];
    const handler = jest
      .fn()
      .mockRejectedValueOnce(refused())
      .mockImplementationOnce(() => {
        waitingDuringOutage.push(monitor.waiting);
        return Promise.reject(refused());
      })
      .mockResolvedValueOnce({ result: 'stored', createdAt: new Date() });

    await deliver(execution, handler);

    expect(handler).toHaveBeenCalledTimes(3);
    expect(heartbeat).toHaveBeenCalled();
    expect(waitingDuringOutage).toEqual(['database']);
    expect(monitor.waiting).toBeUndefined();
    expect(send).not.toHaveBeenCalled();
    expect(commitOffsets).toHaveBeenCalledTimes(1);
    expect(monitor.outcomes).toEqual(['transient', 'transient', 'stored']);
  });

  it('commits nothing while the DLQ write fails, and tries the record again', async () => {
    const { execution, commitOffsets, send } = kafkaContext();
    send.mockRejectedValueOnce(new Error('dlq topic unavailable'));
    const handler = jest.fn().mockRejectedValue(new PoisonMessageError('value is empty'));
    await deliver(execution, handler);
    expect(handler).toHaveBeenCalledTimes(2);
    expect(send).toHaveBeenCalledTimes(2);
    expect(commitOffsets).toHaveBeenCalledTimes(1);
    expect(send.mock.invocationCallOrder[1]).toBeLessThan(commitOffsets.mock.invocationCallOrder[0]);
  });

  it('gives up a retry wait on shutdown without committing, so the record is redelivered', async () => {
    const { execution, commitOffsets } = kafkaContext();
    const handler = jest.fn().mockImplementation(() => {
      monitor.closing.abort();
      return Promise.reject(refused());
    });
    await expect(deliver(execution, handler)).rejects.toThrow(ShutdownInterruptedError);
    expect(commitOffsets).not.toHaveBeenCalled();
  });

  it('dead-letters an unexpected error with its class after the quick retries', async () => {
    const { execution, commitOffsets, send } = kafkaContext();
    const handler = jest.fn().mockRejectedValue(new TypeError('cannot read properties of undefined'));
    await deliver(execution, handler);
    expect(handler).toHaveBeenCalledTimes(3);
    const headers = (send.mock.calls[0] as [{ messages: Array<{ headers: Record<string, string> }> }])[0]
      .messages[0].headers;
    expect(headers).toMatchObject({
      'x-dlq-reason': 'unexpected',
      'x-dlq-error-class': 'TypeError',
      'x-dlq-attempts': '3',
    });
    expect(commitOffsets).toHaveBeenCalledTimes(1);
  });

  it('leaves HTTP requests alone', async () => {
    const execution = { getType: () => 'http' } as unknown as ExecutionContext;
    await expect(lastValueFrom(interceptor.intercept(execution, { handle: () => of('ok') }))).resolves.toBe(
      'ok',
    );
  });
});
