import { PinoLogger } from 'nestjs-pino';
import { IncomingRecord } from '../kafka/incoming-record';
import { OrderEntity } from '../orders/order.entity';

export function fakeLogger(): PinoLogger {
  return { debug: jest.fn(), info: jest.fn(), warn: jest.fn(), error: jest.fn() } as unknown as PinoLogger;
}

export function aRecord(value: unknown, overrides: Partial<IncomingRecord> = {}): IncomingRecord {
  return {
    topic: 'food-orders',
    partition: 1,
    offset: '41',
    timestamp: '1763821800000',
    key: 'CUST-00042',
    value:
      value === null
        ? null
        : Buffer.isBuffer(value)
          ? value
          : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
    headers: {},
    ...overrides,
  };
}

/**
 * An in-memory stand-in for the orders repository: INSERT … ON CONFLICT DO NOTHING RETURNING and
 * findOneByOrFail, inside manager.transaction, as OrdersService uses them.
 */
export class FakeOrdersRepository {
  readonly rows = new Map<string, OrderEntity>();
  failNextWith?: Error;

  readonly manager = {
    transaction: async <T>(work: (tx: unknown) => Promise<T>): Promise<T> => {
      const failure = this.failNextWith;
      this.failNextWith = undefined;
      if (failure) throw failure;
      return work(this.tx);
    },
  };

  private readonly tx = {
    createQueryBuilder: () => {
      let row: OrderEntity;
      const builder = {
        insert: () => builder,
        into: () => builder,
        values: (value: OrderEntity) => {
          row = value;
          return builder;
        },
        orIgnore: () => builder,
        returning: () => builder,
        execute: () => {
          if (this.rows.has(row.orderId)) return Promise.resolve({ raw: [] });
          this.rows.set(row.orderId, { ...row, processedAt: new Date() });
          return Promise.resolve({ raw: [{ order_id: row.orderId }] });
        },
      };
      return builder;
    },
    findOneByOrFail: (_entity: unknown, where: { orderId: string }) => {
      const row = this.rows.get(where.orderId);
      return row ? Promise.resolve(structuredClone(row)) : Promise.reject(new Error('not found'));
    },
  };
}
