import { anOrder } from '@app/contracts/testing/order.factory';
import { InvalidMessageError, PoisonMessageError } from '@app/dlq';
import { decodeOrder } from './order-decoder';

describe(decodeOrder.name, () => {
  it('decodes a valid order', () => {
    expect(decodeOrder(Buffer.from(JSON.stringify(anOrder())), 'CUST-00042').order_id).toBe(
      anOrder().order_id,
    );
  });

  it.each([
    ['a null value', null, 'value is empty'],
    ['an empty value', Buffer.alloc(0), 'value is empty'],
    ['bytes that are not UTF-8', Buffer.from([0xc3, 0x28]), 'value is not valid UTF-8'],
    ['text that is not JSON', Buffer.from('hello'), /^value is not JSON: /],
    ['a JSON array', Buffer.from('[1,2]'), 'value is JSON array, expected an object'],
    ['a JSON number', Buffer.from('42'), 'value is JSON number, expected an object'],
    ['JSON null', Buffer.from('null'), 'value is JSON null, expected an object'],
  ])('calls %s poison', (_, value, message) => {
    expect(() => decodeOrder(value, 'CUST-00042')).toThrow(PoisonMessageError);
    expect(() => decodeOrder(value, 'CUST-00042')).toThrow(message);
  });

  it('calls a JSON object that breaks the contract invalid, naming the field and keeping the order id', () => {
    const attempt = () => decodeOrder(Buffer.from(JSON.stringify(anOrder({ status: 'lost' }))), 'CUST-00042');
    expect(attempt).toThrow(InvalidMessageError);
    try {
      attempt();
    } catch (error) {
      expect((error as InvalidMessageError).problems[0]).toMatch(/^status: /);
      expect((error as InvalidMessageError).orderId).toBe(anOrder().order_id);
    }
  });

  it('calls an oversized record invalid before parsing it', () => {
    const huge = Buffer.alloc(300 * 1024, 'x');
    expect(() => decodeOrder(huge, 'CUST-00042')).toThrow(
      'value: the record is 307200 bytes; an order is at most 262144',
    );
  });

  it.each([
    [null, "key: the record key must be the order's customer_id, got no key"],
    ['CUST-00001', 'key: the record key must be the order\'s customer_id, got "CUST-00001"'],
  ])("calls a record keyed %p invalid: it could overtake its customer's orders", (key, message) => {
    expect(() => decodeOrder(Buffer.from(JSON.stringify(anOrder())), key)).toThrow(message);
  });
});
