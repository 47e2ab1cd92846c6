import { consumerConfig } from '@app/config';
import { anOrder } from '@app/contracts/testing/order.factory';
import {
  ConflictingDuplicateError,
  InvalidMessageError,
  PoisonMessageError,
  SharedFailureError,
} from '@app/dlq';
import { Test } from '@nestjs/testing';
import { getLoggerToken } from 'nestjs-pino';
import { aMessage, fakeLogger, FakeOrdersRepository } from '../testing/fakes';
import { OrderBatchPipe } from './order-batch.pipe';
import { OrdersRepository } from './orders.repository';
import { OrdersService } from './orders.service';

describe(OrdersService.name, () => {
  let repository: FakeOrdersRepository;
  let service: OrdersService;
  const heartbeat = jest.fn().mockResolvedValue(undefined);
  const decode = (...values: unknown[]) =>
    new OrderBatchPipe().transform(values.map((value, i) => aMessage(value, { offset: String(i) })));

  beforeEach(async () => {
    repository = new FakeOrdersRepository();
    const module = await Test.createTestingModule({
      providers: [
        OrdersService,
        { provide: OrdersRepository, useValue: repository },
        { provide: consumerConfig.KEY, useValue: { groupId: 'g', concurrency: 3, batchMax: 1000 } },
        { provide: getLoggerToken(OrdersService.name), useValue: fakeLogger() },
      ],
    }).compile();
    service = module.get(OrdersService);
  });

  it('stores a new order as its row: ids, items, total as an exact decimal, status, time', async () => {
    const order = anOrder();
    await expect(service.store(decode(order), heartbeat)).resolves.toEqual({
      done: [{ result: 'stored', createdAt: Date.parse(order.created_at) }],
      failed: [],
    });
    expect(repository.rows.get(order.order_id)).toMatchObject({
      orderId: order.order_id,
      customerId: 'CUST-00042',
      items: order.items,
      totalAmount: '21.47',
      status: 'pending',
      createdAt: new Date(order.created_at),
    });
  });

  it('keeps only the known item fields', async () => {
    const order = anOrder({
      items: [{ name: 'Tea', quantity: 2, price: 1.5, colour: 'green' }],
      total_amount: 3,
    });
    await service.store(decode(order), heartbeat);
    expect(repository.rows.get(order.order_id)?.items).toEqual([{ name: 'Tea', quantity: 2, price: 1.5 }]);
  });

  it('sorts a mixed batch into rows and failures with one insert and one select', async () => {
    const stored = anOrder({ order_id: 'ORD-STORED' });
    await service.store(decode(stored), heartbeat);
    repository.statements.length = 0;

    const fresh = anOrder({ order_id: 'ORD-NEW' });
    const handled = await service.store(
      decode(
        fresh,
        '{"order_id":', // poison
        anOrder({ order_id: 'ORD-EMPTY', items: [] }), // invalid
        stored, // redelivered
        { ...stored, status: 'cancelled' }, // conflicting duplicate
        fresh, // the same new order twice in one batch
      ),
      heartbeat,
    );

    expect(repository.statements).toEqual(['insert 4', 'select 2']);
    expect(handled.done.map((d) => d.result)).toEqual(['stored', 'duplicate', 'duplicate']);
    expect(handled.failed.map((f) => [f.message.offset, (f.error as Error).name])).toEqual([
      ['1', PoisonMessageError.name],
      ['2', InvalidMessageError.name],
      ['4', ConflictingDuplicateError.name],
    ]);
    expect(repository.rows.get('ORD-STORED')?.status).toBe('pending');
    expect(repository.rows.has('ORD-NEW')).toBe(true);
  });

  it('touches no table for a batch without a valid order', async () => {
    await expect(service.store(decode('nope', anOrder({ items: [] })), heartbeat)).resolves.toMatchObject({
      done: [],
    });
    expect(repository.statements).toEqual([]);
  });

  it('lets database errors a retry can cure through, for the whole batch to be retried', async () => {
    repository.failNextWith = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
      code: 'ECONNREFUSED',
    });
    await expect(service.store(decode(anOrder()), heartbeat)).rejects.toThrow('ECONNREFUSED');
  });

  it('pins an order PostgreSQL refuses on that order alone and stores the rest of the batch', async () => {
    const refused = anOrder({ order_id: 'ORD-REFUSED' });
    repository.refuse = {
      orderId: 'ORD-REFUSED',
      error: Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' }),
    };
    const handled = await service.store(
      decode(anOrder({ order_id: 'ORD-A' }), refused, anOrder({ order_id: 'ORD-B' })),
      heartbeat,
    );
    expect(handled.done).toHaveLength(2);
    expect(handled.failed).toEqual([
      {
        message: expect.objectContaining({ offset: '1' }),
        error: expect.objectContaining({ code: '22021', orderId: 'ORD-REFUSED' }),
      },
    ]);
    expect([...repository.rows.keys()]).toEqual(['ORD-A', 'ORD-B']);
  });

  const orders = (n: number) => Array.from({ length: n }, (_, i) => anOrder({ order_id: `ORD-${i}` }));

  it('finds an order a CHECK constraint refuses in a batch of 1,000 by halves, heartbeating between statements', async () => {
    repository.refuse = {
      orderId: 'ORD-658',
      error: Object.assign(new Error('new row violates check constraint "dba_rule"'), { code: '23514' }),
    };
    heartbeat.mockClear();
    const handled = await service.store(decode(...orders(1000)), heartbeat);
    expect(handled.failed.map((f) => (f.error as { orderId: string }).orderId)).toEqual(['ORD-658']);
    expect(handled.done).toHaveLength(999);
    expect(repository.rows.size).toBe(999);
    // The failed statement, then at most 2·⌈log₂ 1000⌉ to find the order: never one per order.
    expect(repository.statements.length).toBeLessThanOrEqual(1 + 20);
    expect(heartbeat).toHaveBeenCalledTimes(repository.statements.length);
  });

  it('holds the batch when every part fails alike with an error no rule explains', async () => {
    repository.refuse = { orderId: 'ORD-0', error: new Error('relation "orders" does not exist') };
    await expect(service.store(decode(orders(1)[0]), heartbeat)).rejects.toBeInstanceOf(SharedFailureError);
  });

  it('pins an unexplained error on the one order it follows when the rest of the batch goes through', async () => {
    repository.refuse = { orderId: 'ORD-3', error: new Error('trigger failed for this order') };
    const handled = await service.store(decode(...orders(8)), heartbeat);
    expect(handled.failed.map((f) => (f.error as Error).message)).toEqual(['trigger failed for this order']);
    expect(handled.done).toHaveLength(7);
  });

  it('tries a statement that timed out again smaller, at once, until the batch is stored', async () => {
    repository.timeoutAbove = 300;
    const handled = await service.store(decode(...orders(1000)), heartbeat);
    expect(handled.done).toHaveLength(1000);
    expect(handled.failed).toEqual([]);
    expect(repository.statements.slice(0, 3)).toEqual(['insert 1000', 'insert 500', 'insert 250']);
    // The next batch starts at the size that worked, and grows back from there.
    repository.statements.length = 0;
    repository.timeoutAbove = Infinity;
    await service.store(decode(...orders(10).map((o) => ({ ...o, order_id: `${o.order_id}-b` }))), heartbeat);
    expect(repository.statements).toEqual(['insert 10']);
  });

  it('lets a timeout of a single order through, for the batch to be held', async () => {
    repository.timeoutAbove = 0;
    await expect(service.store(decode(...orders(4)), heartbeat)).rejects.toMatchObject({ code: '57014' });
  });
});
