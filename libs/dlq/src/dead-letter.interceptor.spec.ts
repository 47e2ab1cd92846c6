import { batchWaitOf, KafkaBatchContext } from '@app/kafka';
import { CallHandler, ExecutionContext } from '@nestjs/common';
import { KafkaMessage, Message } from 'kafkajs';
import { Test } from '@nestjs/testing';
import { getLoggerToken, PinoLogger } from 'nestjs-pino';
import { defer, lastValueFrom, of } from 'rxjs';
import { DeadLetterInterceptor } from './dead-letter.interceptor';
import { BatchOffset, DeadLetterPublisher } from './dead-letter.publisher';
import { BatchOutcome, HandledBatch } from './handled-batch';
import { SharedFailureError } from './classify-error';
import { ConflictingDuplicateError, InvalidMessageError, PoisonMessageError } from './message-errors';

const logger = { warn: jest.fn(), info: jest.fn() } as unknown as PinoLogger;
const refused = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

const CREATED = Date.parse('2026-11-22T14:30:00Z');

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
  const commit = { groupId: 'order-processors', offset: '43', committed: false };
  const context = new KafkaBatchContext(['food-orders', 2, MESSAGES, attempt, jest.fn(), commit]);
  return {
    getType: () => 'rpc',
    switchToRpc: () => ({ getContext: () => context }),
  } as unknown as ExecutionContext;
}

describe(DeadLetterInterceptor.name, () => {
  let publish: jest.Mock<Promise<void>, [Message[], BatchOffset, () => Promise<void>]>;
  let interceptor: DeadLetterInterceptor;

  beforeEach(async () => {
    publish = jest.fn().mockResolvedValue(undefined);
    const module = await Test.createTestingModule({
      providers: [
        DeadLetterInterceptor,
        { provide: DeadLetterPublisher, useValue: { publish } },
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

  it('emits what became of the records the handler finished, for the telemetry after the commit, and writes no dead letter', async () => {
    const outcome = await deliver(
      batchContext(),
      handled({
        done: [
          { result: 'stored', createdAt: CREATED },
          { result: 'duplicate', createdAt: CREATED },
        ],
      }),
    );
    expect(publish).not.toHaveBeenCalled();
    expect(outcome).toEqual({ stored: [CREATED], duplicates: 1, deadLettered: {} } satisfies BatchOutcome);
  });

  it('writes every failed record of the batch to the DLQ in one publish with its commit, as it was sent, with why', async () => {
    const poison = new PoisonMessageError('value is not valid UTF-8');
    const conflict = new ConflictingDuplicateError(
      'order_id ORD-42 is already stored with different content',
    );
    const outcome = await deliver(
      batchContext(),
      handled({
        done: [{ result: 'stored', createdAt: CREATED }],
        failed: [
          { message: MESSAGES[0], error: poison },
          { message: MESSAGES[1], error: conflict },
        ],
      }),
    );
    expect(publish).toHaveBeenCalledTimes(1);
    const [letters, offset] = publish.mock.calls[0];
    // The batch's offset goes in the same transaction as its dead letters.
    expect(offset).toEqual({ groupId: 'order-processors', topic: 'food-orders', partition: 2, offset: '43' });
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
    expect(outcome).toEqual({
      stored: [CREATED],
      duplicates: 0,
      deadLettered: { poison: 1, 'conflicting-duplicate': 1 },
    } satisfies BatchOutcome);
  });

  it('asks for the batch to be retried, never dead-lettered, when the database is down', async () => {
    const wait = await waitOf(deliver(batchContext(5), () => Promise.reject(refused())));
    expect(wait).toEqual({ dependency: 'database', reason: 'connect ECONNREFUSED 127.0.0.1:5432' });
    expect(publish).not.toHaveBeenCalled();
  });

  it('asks for the batch to be retried when the DLQ write fails', async () => {
    publish.mockRejectedValueOnce(new Error('This server does not host this topic-partition'));
    const failed = [{ message: MESSAGES[0], error: new InvalidMessageError(['status: …']) }];
    const wait = await waitOf(
      deliver(batchContext(), handled({ done: [{ result: 'stored', createdAt: CREATED }], failed })),
    );
    expect(wait).toEqual({
      dependency: 'dead-letter topic',
      reason: 'Error: This server does not host this topic-partition',
    });
  });

  it('names the SQLSTATE when the database refuses every write (read-only after a fail-over), and dead-letters nothing', async () => {
    const readOnly = Object.assign(new Error('cannot execute INSERT in a read-only transaction'), {
      code: '25006',
    });
    const wait = await waitOf(deliver(batchContext(9), () => Promise.reject(readOnly)));
    expect(wait).toEqual({
      dependency: 'database',
      reason: 'cannot execute INSERT in a read-only transaction (SQLSTATE 25006)',
    });
    expect(publish).not.toHaveBeenCalled();
  });

  it('holds a batch, for ever, on anything the handler throws: no record is dead-lettered for a shared failure', async () => {
    const bug = () => Promise.reject(new TypeError('cannot read properties of undefined'));
    for (const attempt of [1, 2, 3, 10]) {
      expect(await waitOf(deliver(batchContext(attempt), bug))).toMatchObject({ dependency: 'handler' });
    }
    const dropped = () =>
      Promise.reject(new SharedFailureError(new Error('relation "orders" does not exist')));
    expect(await waitOf(deliver(batchContext(10), dropped))).toMatchObject({ dependency: 'database' });
    expect(publish).not.toHaveBeenCalled();
  });

  it('retries a failure pinned on one record twice, then dead-letters that record alone as unexpected', async () => {
    const failed = [{ message: MESSAGES[1], error: new TypeError('cannot read properties of undefined') }];
    const batch = handled({ done: [{ result: 'stored', createdAt: CREATED }], failed });
    for (const attempt of [1, 2]) {
      expect(await waitOf(deliver(batchContext(attempt), batch))).toMatchObject({ dependency: 'handler' });
    }
    expect(publish).not.toHaveBeenCalled();
    await deliver(batchContext(3), batch);
    const [letters] = publish.mock.calls[0];
    expect(letters).toHaveLength(1);
    expect(letters[0].headers).toMatchObject({
      'x-dlq-reason': 'unexpected',
      'x-dlq-error-class': 'TypeError',
      'x-dlq-attempts': '3',
      'x-dlq-original-offset': '42',
    });
  });

  it('puts the SQLSTATE of a record PostgreSQL refused in x-dlq-error-code', async () => {
    const check = Object.assign(new Error('new row for relation "orders" violates check constraint'), {
      code: '23514',
    });
    await deliver(batchContext(), handled({ failed: [{ message: MESSAGES[1], error: check }] }));
    const [letters] = publish.mock.calls[0];
    expect(letters[0].headers).toMatchObject({ 'x-dlq-reason': 'invalid', 'x-dlq-error-code': '23514' });
  });

  it('leaves HTTP requests alone', async () => {
    const execution = { getType: () => 'http' } as unknown as ExecutionContext;
    await expect(lastValueFrom(interceptor.intercept(execution, { handle: () => of('ok') }))).resolves.toBe(
      'ok',
    );
  });
});
