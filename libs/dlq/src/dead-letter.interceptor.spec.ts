import { ConsumerConfig, consumerConfig } from '@app/config';
import { batchWaitOf, KafkaBatchContext } from '@app/kafka';
import { CallHandler, ExecutionContext } from '@nestjs/common';
import { KafkaMessage, Message } from 'kafkajs';
import { Test } from '@nestjs/testing';
import { getLoggerToken, PinoLogger } from 'nestjs-pino';
import { defer, lastValueFrom, of } from 'rxjs';
import { DeadLetterInterceptor } from './dead-letter.interceptor';
import { DeadLetterPublisher } from './dead-letter.publisher';
import { DeliveryMonitor, DeliveryOutcome } from './delivery-monitor';
import { HandledBatch } from './handled-batch';
import { ConflictingDuplicateError, InvalidMessageError, PoisonMessageError } from './message-errors';

const consumerSettings: ConsumerConfig = { groupId: 'order-processors', concurrency: 3, batchMax: 500 };
const logger = { warn: jest.fn(), info: jest.fn() } as unknown as PinoLogger;
const refused = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

class FakeMonitor extends DeliveryMonitor {
  readonly outcomes: DeliveryOutcome[] = [];
  readonly batches: number[] = [];
  delivered(outcome: DeliveryOutcome) {
    this.outcomes.push(outcome);
  }
  batchDone(records: number) {
    this.batches.push(records);
  }
}

function message(offset: string, value: Buffer): KafkaMessage {
  return {
    key: Buffer.from('CUST-00042'),
    value,
    headers: { 'x-correlation-id': Buffer.from(`ORD-${offset}`) },
    offset,
    timestamp: '1763821800000',
    attributes: 0,
  };
}

// Not even UTF-8: must reach the DLQ byte for byte.
const MESSAGES = [message('41', Buffer.from([0x7b, 0xff, 0x00])), message('42', Buffer.from('{}'))];

function batchContext(attempt = 1) {
  const context = new KafkaBatchContext(['food-orders', 2, MESSAGES, attempt, jest.fn()]);
  return {
    getType: () => 'rpc',
    switchToRpc: () => ({ getContext: () => context }),
  } as unknown as ExecutionContext;
}

describe(DeadLetterInterceptor.name, () => {
  let monitor: FakeMonitor;
  let publish: jest.Mock<Promise<void>, [Message[]]>;
  let interceptor: DeadLetterInterceptor;

  beforeEach(async () => {
    monitor = new FakeMonitor();
    publish = jest.fn().mockResolvedValue(undefined);
    const module = await Test.createTestingModule({
      providers: [
        DeadLetterInterceptor,
        { provide: DeliveryMonitor, useValue: monitor },
        { provide: DeadLetterPublisher, useValue: { publish } },
        { provide: consumerConfig.KEY, useValue: consumerSettings },
        { provide: getLoggerToken(DeadLetterInterceptor.name), useValue: logger },
      ],
    }).compile();
    interceptor = module.get(DeadLetterInterceptor);
  });

  const deliver = (execution: ExecutionContext, handler: () => Promise<unknown>) =>
    lastValueFrom(interceptor.intercept(execution, { handle: () => defer(handler) } as CallHandler), {
      defaultValue: undefined,
    });
  const handled = (batch: Partial<HandledBatch>) => () => Promise.resolve({ done: [], failed: [], ...batch });
  const waitOf = (attempt: Promise<unknown>) => attempt.then(() => undefined, batchWaitOf);

  it('counts the records the handler finished and writes no dead letter', async () => {
    await deliver(
      batchContext(),
      handled({ done: [{ result: 'stored', createdAt: new Date() }, { result: 'duplicate' }] }),
    );
    expect(publish).not.toHaveBeenCalled();
    expect(monitor.outcomes).toEqual(['stored', 'duplicate']);
  });

  it('writes every failed record of the batch to the DLQ in one publish, as it was sent, with why', async () => {
    const poison = new PoisonMessageError('value is not valid UTF-8');
    const conflict = new ConflictingDuplicateError(
      'order_id ORD-42 is already stored with different content',
    );
    await deliver(
      batchContext(),
      handled({
        done: [{ result: 'stored' }],
        failed: [
          { message: MESSAGES[0], error: poison },
          { message: MESSAGES[1], error: conflict },
        ],
      }),
    );
    expect(publish).toHaveBeenCalledTimes(1);
    const [letters] = publish.mock.calls[0];
    expect(letters.map((l) => [l.key, l.value])).toEqual(MESSAGES.map((m) => [m.key, m.value]));
    expect(letters[0].headers).toEqual({
      'x-correlation-id': MESSAGES[0].headers!['x-correlation-id'],
      'x-dlq-reason': 'poison',
      'x-dlq-error-class': 'PoisonMessageError',
      'x-dlq-error-message': poison.message,
      'x-dlq-original-topic': 'food-orders',
      'x-dlq-original-partition': '2',
      'x-dlq-original-offset': '41',
      'x-dlq-original-timestamp': '1763821800000',
      'x-dlq-consumer-group': 'order-processors',
      'x-dlq-attempts': '1',
      'x-dlq-failed-at': expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(letters[1].headers).toMatchObject({
      'x-dlq-reason': 'conflicting-duplicate',
      'x-dlq-original-offset': '42',
    });
    expect(monitor.outcomes).toEqual(['stored', 'poison', 'conflicting-duplicate']);
    expect(monitor.batches).toEqual([3]);
  });

  it('asks for the batch to be retried, never dead-lettered, when the database is down', async () => {
    const wait = await waitOf(deliver(batchContext(5), () => Promise.reject(refused())));
    expect(wait).toEqual({ dependency: 'database', reason: 'connect ECONNREFUSED 127.0.0.1:5432' });
    expect(publish).not.toHaveBeenCalled();
    expect(monitor.outcomes).toEqual(['transient']);
    expect(monitor.batches).toEqual([]);
  });

  it('asks for the batch to be retried, and reports nothing delivered, when the DLQ write fails', async () => {
    publish.mockRejectedValueOnce(new Error('This server does not host this topic-partition'));
    const failed = [{ message: MESSAGES[0], error: new InvalidMessageError(['status: …']) }];
    const wait = await waitOf(deliver(batchContext(), handled({ done: [{ result: 'stored' }], failed })));
    expect(wait).toEqual({
      dependency: 'dead-letter topic',
      reason: 'This server does not host this topic-partition',
    });
    expect(monitor.outcomes).toEqual(['transient']);
  });

  it('retries an unexpected failure twice, then dead-letters every record of the batch with its class', async () => {
    const bug = () => Promise.reject(new TypeError('cannot read properties of undefined'));
    for (const attempt of [1, 2]) {
      expect(await waitOf(deliver(batchContext(attempt), bug))).toMatchObject({ dependency: 'handler' });
    }
    expect(publish).not.toHaveBeenCalled();
    await deliver(batchContext(3), bug);
    const [letters] = publish.mock.calls[0];
    expect(letters).toHaveLength(2);
    expect(letters[0].headers).toMatchObject({
      'x-dlq-reason': 'unexpected',
      'x-dlq-error-class': 'TypeError',
      'x-dlq-attempts': '3',
    });
  });

  it('leaves HTTP requests alone', async () => {
    const execution = { getType: () => 'http' } as unknown as ExecutionContext;
    await expect(lastValueFrom(interceptor.intercept(execution, { handle: () => of('ok') }))).resolves.toBe(
      'ok',
    );
  });
});
