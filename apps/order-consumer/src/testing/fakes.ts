import { centsToDecimal, OrderItemEvent, toCents } from '@app/contracts';
import { KafkaMessage } from 'kafkajs';
import { PinoLogger } from 'nestjs-pino';
import { OrderEntity } from '../orders/order.entity';
import { NewOrderRow } from '../orders/order-row';
import { OrdersRepository } from '../orders/orders.repository';

export function fakeLogger(): PinoLogger {
  const logger = { isLevelEnabled: () => true };
  return {
    debug: jest.fn(),
    info: jest.fn(),
    warn: jest.fn(),
    error: jest.fn(),
    logger,
  } as unknown as PinoLogger;
}

/** A record as kafkajs delivers it: the value as bytes (objects are sent as JSON), keyed by CUST-00042. */
export function aMessage(
  value: unknown,
  overrides: Partial<Pick<KafkaMessage, 'key' | 'offset' | 'headers'>> = {},
): KafkaMessage {
  return {
    key: Buffer.from('CUST-00042'),
    value:
      value === null
        ? null
        : Buffer.isBuffer(value)
          ? value
          : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
    headers: {},
    offset: '41',
    timestamp: '1763821800000',
    attributes: 0,
    ...overrides,
  };
}

/** The orders table in memory, with the semantics OrdersRepository gives the service. */
export class FakeOrdersRepository implements Pick<OrdersRepository, 'insertNew' | 'findByIds'> {
  readonly rows = new Map<string, OrderEntity>();
  readonly statements: string[] = [];
  /** Thrown by the next statement, or by every statement whose rows include an order that matches. */
  failNextWith?: Error;
  refuse?: { orderId: string; error: Error };
  /** Statements over more rows than this time out, as on a database that became slow. */
  timeoutAbove = Infinity;

  insertNew(json: Buffer[]): Promise<string[]> {
    this.statements.push(`insert ${json.length}`);
    const rows = json.map(rowOf);
    const failure = this.takeFailure();
    if (failure) return Promise.reject(failure);
    if (rows.length > this.timeoutAbove) {
      const timeout = Object.assign(new Error('canceling statement due to statement timeout'), {
        code: '57014',
      });
      return Promise.reject(timeout);
    }
    if (this.refuse && rows.some((row) => row.orderId === this.refuse!.orderId)) {
      return Promise.reject(this.refuse.error);
    }
    const inserted: string[] = [];
    for (const row of rows) {
      if (this.rows.has(row.orderId)) continue;
      this.rows.set(row.orderId, { ...structuredClone(row), processedAt: new Date() });
      inserted.push(row.orderId);
    }
    return Promise.resolve(inserted);
  }

  findByIds(orderIds: string[]): Promise<OrderEntity[]> {
    this.statements.push(`select ${orderIds.length}`);
    const failure = this.takeFailure();
    if (failure) return Promise.reject(failure);
    return Promise.resolve(
      orderIds.flatMap((id) => (this.rows.has(id) ? [structuredClone(this.rows.get(id)!)] : [])),
    );
  }

  private takeFailure(): Error | undefined {
    const failure = this.failNextWith;
    this.failNextWith = undefined;
    return failure;
  }
}

/** The row PostgreSQL would make of one JSON object of an insert (json_to_recordset, numeric(10,2)). */
function rowOf(json: Buffer): NewOrderRow {
  const columns = JSON.parse(json.toString('utf8')) as Record<string, unknown>;
  return {
    orderId: columns.order_id as string,
    customerId: columns.customer_id as string,
    items: columns.items as OrderItemEvent[],
    totalAmount: centsToDecimal(toCents(Number(columns.total_amount))),
    status: columns.status as string,
    createdAt: new Date(columns.created_at as string),
  };
}
