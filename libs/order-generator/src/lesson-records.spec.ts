import { validateOrder } from '@app/contracts';
import { KINDS, recordsOf } from './lesson-records';

const parsed = (value: unknown) => JSON.parse(String(value)) as Record<string, unknown>;

describe(recordsOf.name, () => {
  it.each(KINDS)('keys every %s record by its customer, as the producer does', (kind) => {
    const { messages, says } = recordsOf(kind);
    expect(says.length).toBeGreaterThan(0);
    for (const message of messages) {
      expect(message.headers).toMatchObject({ 'x-event-version': '1' });
      expect(String(message.key)).toMatch(/^CUST-\d{5}$/);
    }
  });

  it('sends a valid order as "order", and a value that is not JSON as "poison"', () => {
    const [order] = recordsOf('order').messages;
    expect(validateOrder(parsed(order.value))).toMatchObject({ valid: true });
    const [poison] = recordsOf('poison').messages;
    expect(() => parsed(poison.value)).toThrow();
  });

  it('sends an order whose total does not add up as "invalid"', () => {
    const [invalid] = recordsOf('invalid').messages;
    const result = validateOrder(parsed(invalid.value));
    expect(result.valid).toBe(false);
    expect(result.valid || result.errors.join('; ')).toContain('total_amount');
  });

  it('sends the same order id twice with different content as "conflicting-duplicate"', () => {
    const [first, second] = recordsOf('conflicting-duplicate').messages.map((m) => parsed(m.value));
    expect(second.order_id).toBe(first.order_id);
    expect(second).not.toEqual(first);
    expect(validateOrder(first)).toMatchObject({ valid: true });
    expect(validateOrder(second)).toMatchObject({ valid: true });
  });
});
