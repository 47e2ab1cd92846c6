import { KafkaConfig } from '@app/config';
import { OrderEvent } from '@app/contracts';
import { anItem, anOrder } from '@app/contracts/testing/order.factory';
import { TopicProvisioner } from '@app/kafka';
import { ClientKafka } from '@nestjs/microservices';
import { KafkaJSProtocolError, Message } from 'kafkajs';
import { PinoLogger } from 'nestjs-pino';
import { Registry } from 'prom-client';
import { Observable, of, Subject, throwError } from 'rxjs';
import { OrderPublisher } from './order-publisher';
import { BACKLOG_MAX_BYTES, BACKLOG_MAX_RECORDS, SEND_MAX_RECORDS, SEND_STALL_MS } from './orders.constants';
import { ProducerMetrics } from './producer.metrics';

const kafka = { topics: { orders: 'food-orders', dlq: 'food-orders.dlq' } } as KafkaConfig;

type Send = (topic: string, batch: { messages: Message[] }) => Observable<unknown>;

async function setUp({ topicLimit }: { topicLimit?: number } = {}) {
  const status = new Subject<string>();
  const sends: Message[][] = [];
  const client = {
    status,
    connect: jest.fn().mockResolvedValue(undefined),
    close: jest.fn().mockResolvedValue(undefined),
    emitBatch: jest.fn<ReturnType<Send>, Parameters<Send>>((_topic, { messages }) => {
      sends.push(messages);
      return of([]);
    }),
  };
  const topics = { maxMessageBytes: () => topicLimit } as unknown as TopicProvisioner;
  const logger = { info: jest.fn(), warn: jest.fn(), error: jest.fn() };
  const publisher = new OrderPublisher(
    client as unknown as ClientKafka,
    kafka,
    topics,
    logger as unknown as PinoLogger,
    new ProducerMetrics(new Registry()),
  );
  await publisher.onModuleInit();
  return { publisher, client, status, sends, logger };
}

const idsOf = (messages: Message[]) => messages.map((m) => JSON.parse(String(m.value)).order_id as string);
const orders = (n: number) => Array.from({ length: n }, (_, i) => anOrder({ order_id: `ORD-${i}` }));
// What kafkajs throws when the broker answers MESSAGE_TOO_LARGE (error code 10).
const tooLarge = () =>
  throwError(() =>
    Object.assign(new KafkaJSProtocolError('too large'), { type: 'MESSAGE_TOO_LARGE', retriable: false }),
  );

describe(OrderPublisher.name, () => {
  it('sends each order keyed by customer, with correlation and version headers, and counts it once acknowledged', async () => {
    const { publisher, client } = await setUp();
    const order = anOrder();

    publisher.enqueue(order);
    await publisher.idle();

    expect(client.emitBatch).toHaveBeenCalledWith('food-orders', {
      messages: [
        {
          key: 'CUST-00042',
          value: JSON.stringify(order),
          headers: { 'x-correlation-id': order.order_id, 'x-event-version': '1' },
        },
      ],
    });
    expect(publisher.counters).toEqual({ sent: 1, sends: 1, rejected: 0, failedAttempts: 0 });
    expect(publisher.state()).toEqual({ ready: true });
  });

  it('sends what one tick queued together, not the first order alone and the rest after it', async () => {
    const { publisher, sends } = await setUp();
    for (const order of orders(5)) publisher.enqueue(order);
    await publisher.idle();

    expect(sends.map(idsOf)).toEqual([['ORD-0', 'ORD-1', 'ORD-2', 'ORD-3', 'ORD-4']]);
  });

  it('sends the backlog oldest first, at most SEND_MAX_RECORDS and the topic’s max.message.bytes at a time', async () => {
    const { publisher, sends } = await setUp({ topicLimit: 64 * 1024 });
    const queued = orders(2_500);
    queued.forEach((order) => publisher.enqueue(order));
    await publisher.idle();

    expect(sends.flatMap(idsOf)).toEqual(queued.map((o) => o.order_id));
    const bytes = (messages: Message[]) =>
      messages.reduce((sum, m) => sum + String(m.value).length + String(m.key).length, 0);
    expect(Math.max(...sends.map((s) => s.length))).toBeLessThanOrEqual(SEND_MAX_RECORDS);
    expect(Math.max(...sends.map(bytes))).toBeLessThan(64 * 1024);
    expect(publisher.counters.sent).toBe(2_500);
  });

  it('re-sends a failed send as it was, with backoff, until the broker acknowledges it', async () => {
    const { publisher, client, sends } = await setUp();
    client.emitBatch.mockImplementationOnce((_topic, { messages }) => {
      sends.push(messages);
      return throwError(() => new Error('leader not available'));
    });
    publisher.enqueue(anOrder());
    await publisher.idle();

    expect(sends).toHaveLength(2);
    expect(sends[1]).toEqual(sends[0]);
    expect(publisher.counters).toEqual({ sent: 1, sends: 1, rejected: 0, failedAttempts: 1 });
  });

  it('is not ready while disconnected or after a failed send, and stops retrying when told to give up', async () => {
    const { publisher, client, status } = await setUp();
    client.emitBatch.mockReturnValue(throwError(() => new Error('broker down')));
    status.next('disconnected');
    expect(publisher.state()).toEqual({ ready: false, reason: 'Kafka producer is not connected' });
    status.next('connected');

    publisher.enqueue(anOrder());
    await new Promise((done) => setImmediate(done));
    publisher.giveUp();
    await publisher.idle();
    expect(publisher.counters.sent).toBe(0);
    expect(publisher.state()).toEqual({ ready: false, reason: 'last send failed: broker down' });
    publisher.onModuleDestroy();
  });

  it('abandons a send that hangs in the client when told to give up, without counting it as sent or failed', async () => {
    const { publisher, client } = await setUp();
    client.emitBatch.mockReturnValue(new Subject<never>()); // the broker never answers

    publisher.enqueue(anOrder());
    publisher.giveUp();
    await publisher.idle();

    expect(publisher.counters).toEqual({ sent: 0, sends: 0, rejected: 0, failedAttempts: 0 });
  });

  it('has no room once BACKLOG_MAX_RECORDS orders wait, or BACKLOG_MAX_BYTES of big ones', async () => {
    const fill = async (make: (i: number) => OrderEvent) => {
      const { publisher, client } = await setUp();
      client.emitBatch.mockReturnValue(new Subject<never>());
      let queued = 0;
      while (publisher.hasRoom()) publisher.enqueue(make(queued++));
      publisher.giveUp();
      return queued;
    };
    expect(await fill((i) => anOrder({ order_id: `ORD-${i}` }))).toBe(BACKLOG_MAX_RECORDS);
    const big = (i: number) =>
      anOrder({ order_id: `ORD-${i}`, items: [anItem({ name: 'x'.repeat(20_000) })] });
    const bigOnes = await fill(big);
    expect(bigOnes).toBeLessThan(BACKLOG_MAX_RECORDS);
    expect(bigOnes * 20_000).toBeGreaterThanOrEqual(BACKLOG_MAX_BYTES);
  });

  it('rejects an order larger than the topic accepts without sending it, naming it and the fix', async () => {
    const { publisher, sends, logger } = await setUp({ topicLimit: 2_000 });
    const huge = anOrder({
      order_id: 'ORD-HUGE',
      items: Array.from({ length: 30 }, (_, i) =>
        anItem({ name: `dish ${i} ${'with extra sauce '.repeat(8)}` }),
      ),
    });
    publisher.enqueue(anOrder({ order_id: 'ORD-SMALL' }));
    publisher.enqueue(huge);
    await publisher.idle();

    expect(sends.flatMap(idsOf)).toEqual(['ORD-SMALL']);
    expect(publisher.counters).toMatchObject({ sent: 1, rejected: 1 });
    expect(logger.error).toHaveBeenCalledWith(
      expect.objectContaining({
        order_id: 'ORD-HUGE',
        err: expect.stringMatching(/larger than the topic accepts \(2000 bytes/),
        fix: 'raise max.message.bytes of topic food-orders',
      }),
      'order rejected: larger than the topic accepts',
    );
  });

  it('when the topic’s limit drops after start, replaces the producer, sends less at a time and rejects what no longer fits', async () => {
    const { publisher, client, sends } = await setUp();
    const small = orders(8);
    const big: OrderEvent = anOrder({
      order_id: 'ORD-BIG',
      items: Array.from({ length: 10 }, (_, i) =>
        anItem({ name: `dish ${i} ${'with extra sauce '.repeat(8)}` }),
      ),
    });
    // The broker now takes record batches of 1,500 bytes at most.
    client.emitBatch.mockImplementation((_topic, { messages }) => {
      const bytes = messages.reduce((sum, m) => sum + String(m.value).length + 100, 61);
      if (bytes > 1_500) return tooLarge();
      sends.push(messages);
      return of([]);
    });
    [...small.slice(0, 4), big, ...small.slice(4)].forEach((order) => publisher.enqueue(order));
    await publisher.idle();

    expect(client.close).toHaveBeenCalled();
    expect(sends.flatMap(idsOf)).toEqual(small.map((o) => o.order_id));
    expect(publisher.counters).toMatchObject({ sent: 8, rejected: 1, failedAttempts: 0 });
  });

  it('after a send that gave up with part of it written, re-sends only the rest, and counts each order once', async () => {
    const { publisher, client, sends } = await setUp();
    client.emitBatch.mockImplementationOnce((_topic, { messages }) => {
      sends.push(messages);
      // kafkajs (patched) says which records it had written before giving up: here the first two.
      const error = Object.assign(new KafkaJSProtocolError('not enough replicas'), {
        type: 'NOT_ENOUGH_REPLICAS',
        acknowledgedMessages: messages.slice(0, 2),
      });
      return throwError(() => error);
    });
    for (const order of orders(5)) publisher.enqueue(order);
    await publisher.idle();

    expect(sends.map(idsOf)).toEqual([
      ['ORD-0', 'ORD-1', 'ORD-2', 'ORD-3', 'ORD-4'],
      ['ORD-2', 'ORD-3', 'ORD-4'],
    ]);
    expect(publisher.counters).toEqual({ sent: 5, sends: 1, rejected: 0, failedAttempts: 1 });
  });

  it('names the broker’s reason while it cannot deliver (fewer replicas in sync than min.insync.replicas)', async () => {
    const { publisher, client } = await setUp();
    client.emitBatch.mockReturnValue(
      throwError(() =>
        Object.assign(
          new Error('Messages are rejected since there are fewer in-sync replicas than required'),
          {
            cause: { type: 'NOT_ENOUGH_REPLICAS' },
          },
        ),
      ),
    );
    publisher.enqueue(anOrder());
    await new Promise((done) => setImmediate(done));
    expect(publisher.state()).toEqual({
      ready: false,
      reason: expect.stringMatching(/^last send failed: .*\(NOT_ENOUGH_REPLICAS\)$/),
    });
    publisher.giveUp();
    await publisher.idle();
  });

  it('drops a client whose connect failed, so that the next send connects again (Nest keeps the first promise)', async () => {
    const { publisher, client, sends } = await setUp();
    client.connect.mockRejectedValueOnce(new Error('Connection timeout'));
    publisher.enqueue(anOrder());
    await publisher.idle();
    expect(client.close).toHaveBeenCalledTimes(1);
    expect(client.connect).toHaveBeenCalledTimes(3); // start-up, the failed try, the retry
    expect(sends).toHaveLength(1);
    expect(publisher.counters).toMatchObject({ sent: 1, failedAttempts: 1 });
  });

  it('is not ready while a send waits longer than SEND_STALL_MS for its acknowledgement', async () => {
    const { publisher, client } = await setUp();
    client.emitBatch.mockReturnValue(new Observable(() => undefined)); // never acknowledged
    publisher.enqueue(anOrder());
    await new Promise((done) => setImmediate(done));
    expect(publisher.state().ready).toBe(true);
    expect(publisher.state(Date.now() + SEND_STALL_MS + 1_000)).toEqual({
      ready: false,
      reason: expect.stringMatching(/^no acknowledgement from the brokers for \d+ s$/),
    });
    publisher.giveUp();
    await publisher.idle();
  });
});
