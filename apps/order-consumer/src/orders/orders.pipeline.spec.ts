import { consumerConfig } from '@app/config';
import { anOrder } from '@app/contracts/testing/order.factory';
import { BatchOffset, BatchOutcome, DeadLetterInterceptor, DeadLetterPublisher } from '@app/dlq';
import { BatchExceptionFilter, CommittedBatch, KafkaBatchContext, KafkaBatchServer } from '@app/kafka';
import { INestMicroservice } from '@nestjs/common';
import { Transport } from '@nestjs/microservices';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { throwError } from 'rxjs';
import { Consumer, EachBatchPayload, KafkaJSProtocolError, KafkaMessage, Message } from 'kafkajs';
import { getLoggerToken } from 'nestjs-pino';
import { aMessage, fakeLogger, FakeOrdersRepository } from '../testing/fakes';
import { OrderBatchPipe } from './order-batch.pipe';
import { OrdersController } from './orders.controller';
import { OrdersRepository } from './orders.repository';
import { OrdersService } from './orders.service';

const TOPIC = 'food-orders';

/**
 * The consumer's whole pipeline in one process: the batch transport calls the @EventPattern handler
 * through Nest (global interceptor, pipe, controller, service), with fakes only at the edges: the
 * kafkajs consumer, the table and the dead-letter producer.
 */
async function pipeline({ interceptorThrows }: { interceptorThrows?: Error } = {}) {
  let eachBatch!: (payload: EachBatchPayload) => Promise<void>;
  const kafka = {
    events: {},
    on: jest.fn(),
    connect: jest.fn().mockResolvedValue(undefined),
    disconnect: jest.fn().mockResolvedValue(undefined),
    subscribe: jest.fn().mockResolvedValue(undefined),
    run: jest.fn((options: { eachBatch: typeof eachBatch }) => {
      eachBatch = options.eachBatch;
      return Promise.resolve();
    }),
    pause: jest.fn(),
    commitOffsets: jest.fn().mockResolvedValue(undefined),
  };
  const repository = new FakeOrdersRepository();
  const letters: Message[][] = [];
  /** Offsets committed with dead letters, in one transaction, by the publisher. */
  const transactional: string[] = [];
  const module = await Test.createTestingModule({
    controllers: [OrdersController],
    providers: [
      OrdersService,
      OrderBatchPipe,
      { provide: OrdersRepository, useValue: repository },
      // Another app-wide interceptor, ahead of the dead-letter one (a tracing one, say), that fails.
      ...(interceptorThrows
        ? [{ provide: APP_INTERCEPTOR, useValue: { intercept: () => throwError(() => interceptorThrows) } }]
        : []),
      { provide: APP_INTERCEPTOR, useClass: DeadLetterInterceptor },
      { provide: APP_FILTER, useClass: BatchExceptionFilter },
      {
        provide: DeadLetterPublisher,
        useValue: {
          publish: (batch: Message[], { offset }: BatchOffset) => {
            letters.push(batch);
            transactional.push(offset);
            return Promise.resolve();
          },
        },
      },
      {
        provide: consumerConfig.KEY,
        useValue: { groupId: 'order-processors', concurrency: 3, batchMax: 1000 },
      },
      { provide: getLoggerToken(OrdersService.name), useValue: fakeLogger() },
      { provide: getLoggerToken(DeadLetterInterceptor.name), useValue: fakeLogger() },
    ],
  }).compile();
  const observer = {
    watch: jest.fn(),
    closing: jest.fn(),
    holding: jest.fn(),
    released: jest.fn(),
    restarting: jest.fn(),
    committed: jest.fn<void, [CommittedBatch]>(),
  };
  const server = new KafkaBatchServer(
    { client: { brokers: ['localhost:9092'] }, postfixId: '' },
    { topics: { [TOPIC]: TOPIC }, maxBatchSize: 1000, retry: { baseMs: 1, capMs: 1 }, closeGraceMs: 1_000 },
    [observer],
  );
  server.createClient = () => ({ consumer: () => kafka as unknown as Consumer }) as never;
  const app: INestMicroservice = module.createNestMicroservice({ strategy: server });
  await app.listen();
  const deliver = (messages: KafkaMessage[]) =>
    eachBatch({
      batch: { topic: TOPIC, partition: 1, messages },
      resolveOffset: jest.fn(),
      commitOffsetsIfNecessary: ({ topics: [{ partitions }] }: { topics: [{ partitions: unknown[] }] }) =>
        kafka.commitOffsets(partitions) as Promise<void>,
      heartbeat: jest.fn().mockResolvedValue(undefined),
      isRunning: () => true,
      isStale: () => false,
      pause: () => () => undefined,
    } as unknown as EachBatchPayload);
  const committed = () =>
    kafka.commitOffsets.mock.calls.map(([[{ offset }]]: [[{ offset: string }]]) => offset);
  return {
    app,
    server,
    repository,
    letters,
    transactional,
    kafka,
    observer,
    deliver,
    committed,
  };
}

const at = (offset: number, value: unknown) => aMessage(value, { offset: String(offset) });

describe('the consumer pipeline (transport → interceptor → pipe → controller → service)', () => {
  it('turns one mixed batch into its rows, and its dead letters in one transaction with the commit of the last offset + 1', async () => {
    const { app, repository, letters, transactional, observer, deliver, committed } = await pipeline();
    const stored = anOrder({ order_id: 'ORD-STORED' });
    await repository.insertNew([Buffer.from(JSON.stringify(stored))]);

    await deliver([
      at(10, anOrder({ order_id: 'ORD-NEW' })),
      at(11, 'not json'),
      at(12, anOrder({ order_id: 'ORD-EMPTY', items: [] })),
      at(13, stored),
      at(14, { ...stored, status: 'cancelled' }),
    ]);

    expect([...repository.rows.keys()]).toEqual(['ORD-STORED', 'ORD-NEW']);
    expect(repository.rows.get('ORD-STORED')?.status).toBe('pending');
    expect(letters).toHaveLength(1);
    expect(letters[0].map((l) => [l.headers!['x-dlq-original-offset'], l.headers!['x-dlq-reason']])).toEqual([
      ['11', 'poison'],
      ['12', 'invalid'],
      ['14', 'conflicting-duplicate'],
    ]);
    expect(transactional).toEqual(['15']);
    // Reported once committed, for the metrics and the log line.
    expect(observer.committed).toHaveBeenCalledTimes(1);
    expect(observer.committed.mock.calls[0][0].result).toEqual({
      stored: [Date.parse(anOrder().created_at)],
      duplicates: 1,
      deadLettered: { poison: 1, invalid: 1, 'conflicting-duplicate': 1 },
    } satisfies BatchOutcome);
    expect(committed()).toEqual([]);
    await app.close();
  });

  it('retries a batch whose insert failed for want of a database, committing nothing until it succeeds', async () => {
    const { app, repository, letters, transactional, observer, deliver, committed } = await pipeline();
    repository.failNextWith = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
      code: 'ECONNREFUSED',
    });
    const batch = [at(0, anOrder({ order_id: 'ORD-A' })), at(1, 'not json')];

    await deliver(batch);
    expect(committed()).toEqual([]);
    expect(letters).toEqual([]);
    // What the interceptor asked for crossed Nest's exception layer intact.
    expect(observer.holding).toHaveBeenCalledWith(
      TOPIC,
      1,
      expect.objectContaining({ dependency: 'database', attempt: 1 }),
    );

    await deliver(batch); // kafkajs delivers the held-back batch again after the backoff
    expect(transactional).toEqual(['2']);
    expect(committed()).toEqual([]);
    expect(letters).toHaveLength(1);
    expect(repository.rows.has('ORD-A')).toBe(true);
    await app.close();
  });

  it('holds a batch that failed outside the handler naming the real error, not Nest’s "Internal server error"', async () => {
    const { app, observer, deliver, committed } = await pipeline({
      interceptorThrows: new TypeError('the tracer is not configured'),
    });

    await deliver([at(0, anOrder({ order_id: 'ORD-A' }))]);
    expect(committed()).toEqual([]);
    expect(observer.holding).toHaveBeenCalledWith(
      TOPIC,
      1,
      expect.objectContaining({ dependency: 'handler', reason: 'TypeError: the tracer is not configured' }),
    );
    await app.close();
  });

  it('runs each batch inside Nest’s processing hooks (request context, tracing), as Nest’s own transports do', async () => {
    const { app, server, repository, deliver, committed } = await pipeline();
    const seen: string[] = [];
    server.setOnProcessingStartHook((transportId, context, done) => {
      seen.push(`start ${String(transportId)} ${(context as KafkaBatchContext).getPartition()}`);
      void done().then(() => seen.push(`handler done: ${repository.rows.size} row`));
    });
    server.setOnProcessingEndHook(() => seen.push('end'));

    await deliver([at(0, anOrder({ order_id: 'ORD-A' }))]);
    expect(seen).toEqual([`start ${String(Transport.KAFKA)} 1`, 'end', 'handler done: 1 row']);
    expect(committed()).toEqual(['1']);
    await app.close();
  });

  it('hands a refused commit to kafkajs and, when the batch comes again, does not run it again', async () => {
    const { app, repository, kafka, deliver, committed } = await pipeline();
    kafka.commitOffsets.mockRejectedValueOnce(
      Object.assign(new KafkaJSProtocolError('The group is rebalancing, so a rejoin is needed'), {
        type: 'REBALANCE_IN_PROGRESS',
      }),
    );
    const batch = [at(0, anOrder({ order_id: 'ORD-A' })), at(1, anOrder({ order_id: 'ORD-B' }))];

    await expect(deliver(batch)).rejects.toMatchObject({ type: 'REBALANCE_IN_PROGRESS' });
    await deliver(batch);

    expect(repository.statements.filter((s) => s.startsWith('insert'))).toHaveLength(1);
    expect(committed()).toEqual(['2', '2']);
    await app.close();
  });
});
