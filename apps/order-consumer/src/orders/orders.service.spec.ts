import { anOrder } from '@app/contracts/testing/order.factory';
import { ConflictingDuplicateError, InvalidMessageError, PoisonMessageError } from '@app/dlq';
import { Test } from '@nestjs/testing';
import { getLoggerToken } from 'nestjs-pino';
import { aMessage, fakeLogger, FakeOrdersRepository } from '../testing/fakes';
import { OrderBatchPipe } from './order-batch.pipe';
import { OrdersRepository } from './orders.repository';
import { OrdersService } from './orders.service';

describe(OrdersService.name, () => {
  let repository: FakeOrdersRepository;
  let service: OrdersService;
  const decode = (...values: unknown[]) =>
    new OrderBatchPipe().transform(values.map((value, i) => aMessage(value, { offset: String(i) })));

  beforeEach(async () => {
    repository = new FakeOrdersRepository();
    const module = await Test.createTestingModule({
      providers: [
        OrdersService,
        { provide: OrdersRepository, useValue: repository },
        { provide: getLoggerToken(OrdersService.name), useValue: fakeLogger() },
      ],
    }).compile();
    service = module.get(OrdersService);
  });

  it('stores a new order as its row: ids, items, total as an exact decimal, status, time', async () => {
    const order = anOrder();
    await expect(service.store(decode(order))).resolves.toEqual({
      done: [{ result: 'stored', createdAt: new Date(order.created_at) }],
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
    await service.store(decode(order));
    expect(repository.rows.get(order.order_id)?.items).toEqual([{ name: 'Tea', quantity: 2, price: 1.5 }]);
  });

  it('sorts a mixed batch into rows and failures with one insert and one select', async () => {
    const stored = anOrder({ order_id: 'ORD-STORED' });
    await service.store(decode(stored));
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
    await expect(service.store(decode('nope', anOrder({ items: [] })))).resolves.toMatchObject({ done: [] });
    expect(repository.statements).toEqual([]);
  });

  it('lets database errors a retry can cure through, for the whole batch to be retried', async () => {
    repository.failNextWith = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
      code: 'ECONNREFUSED',
    });
    await expect(service.store(decode(anOrder()))).rejects.toThrow('ECONNREFUSED');
  });

  it('pins an order PostgreSQL refuses on that order alone and stores the rest of the batch', async () => {
    const refused = anOrder({ order_id: 'ORD-REFUSED' });
    repository.refuse = {
      orderId: 'ORD-REFUSED',
      error: Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' }),
    };
    const handled = await service.store(
      decode(anOrder({ order_id: 'ORD-A' }), refused, anOrder({ order_id: 'ORD-B' })),
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
});
