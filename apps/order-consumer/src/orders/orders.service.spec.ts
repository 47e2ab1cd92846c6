import { anOrder } from '@app/contracts/testing/order.factory';
import { ConflictingDuplicateError, InvalidMessageError, PoisonMessageError } from '@app/dlq';
import { Repository } from 'typeorm';
import { aRecord, fakeLogger, FakeOrdersRepository } from '../testing/fakes';
import { OrderEntity } from './order.entity';
import { OrdersService } from './orders.service';

describe(OrdersService.name, () => {
  let repository: FakeOrdersRepository;
  let service: OrdersService;

  beforeEach(() => {
    repository = new FakeOrdersRepository();
    service = new OrdersService(repository as unknown as Repository<OrderEntity>, fakeLogger());
  });

  it('stores a new order as its row: ids, items, total as an exact decimal, status, time', async () => {
    const order = anOrder();
    await expect(service.process(aRecord(order))).resolves.toMatchObject({
      result: 'stored',
      orderId: order.order_id,
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
    await service.process(aRecord(order));
    expect(repository.rows.get(order.order_id)?.items).toEqual([{ name: 'Tea', quantity: 2, price: 1.5 }]);
  });

  it('treats a redelivery of the same order as a duplicate, not an error', async () => {
    await service.process(aRecord(anOrder()));
    await expect(service.process(aRecord(anOrder()))).resolves.toMatchObject({ result: 'duplicate' });
    expect(repository.rows.size).toBe(1);
  });

  it('rejects the same order id with different content and keeps the stored row', async () => {
    await service.process(aRecord(anOrder()));
    const changed = anOrder({ status: 'cancelled' });
    await expect(service.process(aRecord(changed))).rejects.toThrow(ConflictingDuplicateError);
    expect(repository.rows.get(changed.order_id)?.status).toBe('pending');
  });

  it('rejects poison and invalid records before touching the database', async () => {
    await expect(service.process(aRecord('{"order_id":'))).rejects.toThrow(PoisonMessageError);
    await expect(service.process(aRecord(anOrder({ items: [] })))).rejects.toThrow(InvalidMessageError);
    expect(repository.rows.size).toBe(0);
  });

  it('lets database errors through for the caller to retry', async () => {
    repository.failNextWith = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
      code: 'ECONNREFUSED',
    });
    await expect(service.process(aRecord(anOrder()))).rejects.toThrow('ECONNREFUSED');
  });
});
