import { hasOnlyDeclaredFields, validateOrder } from './validate-order';
import { anItem, anOrder, ORIGINAL_MINIMAL_ORDER } from './testing/order.factory';

function errorsOf(value: unknown): string[] {
  const result = validateOrder(value);
  return result.valid ? [] : result.errors;
}

/** An order whose single item is `item`, with a total that matches it. */
function withItem(item: Record<string, unknown>) {
  const quantity = typeof item.quantity === 'number' ? item.quantity : 1;
  const price = typeof item.price === 'number' ? item.price : 1;
  return anOrder({ items: [item], total_amount: Math.round(quantity * price * 100) / 100 || 1 });
}

describe(validateOrder.name, () => {
  it('accepts a complete order', () => {
    expect(validateOrder(anOrder())).toMatchObject({ valid: true });
  });

  it('accepts the minimal order of the original design', () => {
    expect(validateOrder(ORIGINAL_MINIMAL_ORDER)).toMatchObject({ valid: true });
  });

  it('accepts unknown fields without reading them, so newer producers interoperate', () => {
    const order = { ...anOrder(), coupon: 'SAVE10' };
    const unread = () => {
      throw new Error('an unknown field was read');
    };
    Object.defineProperty(order, 'loyalty', { get: unread, enumerable: true });
    Object.defineProperty(order.items[0], 'colour', { get: unread, enumerable: true });
    expect(validateOrder(order)).toEqual({ valid: true, order });
  });

  it('ignores an unknown field however deep it nests, and calls a deep known field invalid', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 10_000; i += 1) deep = [deep];
    expect(validateOrder({ ...anOrder(), extra: deep })).toMatchObject({ valid: true });
    expect(errorsOf({ ...anOrder(), customer_name: deep })).toEqual([
      'customer_name: customer_name must be shorter than or equal to 200 characters',
      'customer_name: customer_name must be a string',
    ]);
  });

  it.each([
    [
      'a lone surrogate at the end of order_id',
      { order_id: 'ORD-1\ud800' },
      'order_id: order_id must be text PostgreSQL can store as sent (no NUL, no lone surrogate)',
    ],
    [
      'NUL in order_id',
      { order_id: 'ORD-\u00001' },
      'order_id: order_id must be text PostgreSQL can store as sent (no NUL, no lone surrogate)',
    ],
    [
      'NUL in an item name',
      { items: [{ name: 'Soup\u0000', quantity: 1, price: 4.5 }], total_amount: 4.5 },
      'items.0.name: name must be text PostgreSQL can store as sent (no NUL, no lone surrogate)',
    ],
    [
      'a lone surrogate in an item name',
      { items: [{ name: '\udc00Soup', quantity: 1, price: 4.5 }], total_amount: 4.5 },
      'items.0.name: name must be text PostgreSQL can store as sent (no NUL, no lone surrogate)',
    ],
    [
      '50 × "V\\uFE0F" as order_id (100 characters to PostgreSQL)',
      { order_id: 'V\uFE0F'.repeat(50) },
      'order_id: order_id must be shorter than or equal to 50 characters',
    ],
    [
      'a week date',
      { created_at: '2024-W01-1' },
      'created_at: created_at must be a date and time with a zone (Z or an offset) such as 2026-11-22T14:30:00Z, read as the same instant by JavaScript and PostgreSQL',
    ],
    [
      'an ordinal date',
      { created_at: '2024-060T10:00:00Z' },
      'created_at: created_at must be a date and time with a zone (Z or an offset) such as 2026-11-22T14:30:00Z, read as the same instant by JavaScript and PostgreSQL',
    ],
    [
      'the basic format',
      { created_at: '20240501T100000Z' },
      'created_at: created_at must be a date and time with a zone (Z or an offset) such as 2026-11-22T14:30:00Z, read as the same instant by JavaScript and PostgreSQL',
    ],
    [
      'a comma fraction',
      { created_at: '2024-05-01T10:00:00,5Z' },
      'created_at: created_at must be a date and time with a zone (Z or an offset) such as 2026-11-22T14:30:00Z, read as the same instant by JavaScript and PostgreSQL',
    ],
    [
      // A time without a zone is read in the reader's time zone: two consumers in different zones
      // would store different instants, and a redelivery would look like a conflicting duplicate.
      'a time without a zone',
      { created_at: '2026-11-22T14:30:00' },
      'created_at: created_at must be a date and time with a zone (Z or an offset) such as 2026-11-22T14:30:00Z, read as the same instant by JavaScript and PostgreSQL',
    ],
    [
      'a date without a time (midnight UTC to JavaScript, local midnight to PostgreSQL)',
      { created_at: '2026-11-22' },
      'created_at: created_at must be a date and time with a zone (Z or an offset) such as 2026-11-22T14:30:00Z, read as the same instant by JavaScript and PostgreSQL',
    ],
    ['a time with an offset', { created_at: '2026-11-22T15:30:00.250+01:00' }, undefined],
    ['an exponent total', { total_amount: 2.147e1 }, undefined],
  ])('decides %s', (_, change, message) => {
    const errors = errorsOf(anOrder(change));
    if (message) expect(errors).toContainEqual(message);
    else expect(errors).toEqual([]);
  });

  it('calls an email with a lone surrogate invalid, although the email validator throws on it', () => {
    expect(errorsOf(anOrder({ customer_email: 'ada\ud800@example.com' }))).toEqual([
      'customer_email: isStorableText is not met',
      'customer_email: isEmail is not met',
    ]);
  });

  it('keeps emoji and accents, which PostgreSQL stores as sent', () => {
    expect(
      errorsOf(
        anOrder({
          order_id: 'ORD-🍣-Zoë',
          items: [{ name: 'Crème brûlée 🍰', quantity: 1, price: 4.5 }],
          total_amount: 4.5,
        }),
      ),
    ).toEqual([]);
  });

  it('calls an item that is not an object invalid, which class-validator alone lets through', () => {
    expect(errorsOf(anOrder({ items: [[]] }))).toContainEqual('items: each value in items must be an object');
  });

  it.each([
    ['a JSON array', []],
    ['null', null],
    ['a string', 'order'],
  ])('rejects %s as not an object', (_, value) => {
    expect(errorsOf(value)).toEqual(['order must be a JSON object']);
  });

  describe.each(['order_id', 'customer_id'])('%s', (field) => {
    it('passes with 50 characters', () => {
      expect(errorsOf(anOrder({ [field]: 'X'.repeat(50) }))).toEqual([]);
    });
    it.each([
      ['missing', undefined, 'must be a string'],
      ['empty', '', 'should not be empty'],
      ['51 characters', 'X'.repeat(51), 'must be shorter than or equal to 50 characters'],
      ['a number', 42, 'must be a string'],
    ])('fails when %s', (_, value, rule) => {
      expect(errorsOf(anOrder({ [field]: value }))).toContainEqual(`${field}: ${field} ${rule}`);
    });
  });

  describe('items', () => {
    it('passes with 100 items', () => {
      const items = Array.from({ length: 100 }, () => anItem({ quantity: 1, price: 1 }));
      expect(errorsOf(anOrder({ items, total_amount: 100 }))).toEqual([]);
    });
    it.each([
      ['empty', [], 'items: items must contain at least 1 elements'],
      [
        '101 items',
        Array.from({ length: 101 }, () => anItem()),
        'items: items must contain no more than 100 elements',
      ],
      ['not an array', 'burger', 'items: items must be an array'],
    ])('fails when %s', (_, items, message) => {
      expect(errorsOf(anOrder({ items }))).toContainEqual(message);
    });
  });

  describe('an item', () => {
    it('passes without item_id and subtotal', () => {
      expect(errorsOf(withItem({ name: 'Tea', quantity: 3, price: 2.5 }))).toEqual([]);
    });
    it('passes with price 0', () => {
      expect(
        errorsOf(anOrder({ items: [anItem({ price: 0 }), anItem({ price: 1 })], total_amount: 1 })),
      ).toEqual([]);
    });
    it.each([
      ['an empty name', { name: '', quantity: 1, price: 1 }, 'items.0.name: name should not be empty'],
      ['a missing name', { quantity: 1, price: 1 }, 'items.0.name: name must be a string'],
      [
        'quantity 0',
        { name: 'Tea', quantity: 0, price: 1 },
        'items.0.quantity: quantity must not be less than 1',
      ],
      [
        'a negative quantity',
        { name: 'Tea', quantity: -2, price: 1 },
        'items.0.quantity: quantity must not be less than 1',
      ],
      [
        'a fractional quantity',
        { name: 'Tea', quantity: 1.5, price: 1 },
        'items.0.quantity: quantity must be an integer number',
      ],
      [
        'a quantity given as text',
        { name: 'Tea', quantity: '2', price: 1 },
        'items.0.quantity: quantity must be an integer number',
      ],
      [
        'a negative price',
        { name: 'Tea', quantity: 1, price: -1 },
        'items.0.price: price must not be less than 0',
      ],
      [
        'a price with 3 decimals',
        { name: 'Tea', quantity: 1, price: 1.999 },
        'items.0.price: price must have at most 2 decimal places',
      ],
      [
        'a price in exponent notation with 7 decimals',
        { name: 'Tea', quantity: 1, price: 1e-7 },
        'items.0.price: price must have at most 2 decimal places',
      ],
      [
        'a subtotal that is not quantity × price',
        { name: 'Tea', quantity: 2, price: 1.5, subtotal: 3.01 },
        'items.0.subtotal: subtotal must equal quantity × price to the cent',
      ],
    ])('fails with %s', (_, item, message) => {
      expect(errorsOf(withItem(item))).toContainEqual(message);
    });
    it('passes with a matching subtotal', () => {
      expect(errorsOf(withItem({ name: 'Tea', quantity: 3, price: 0.1, subtotal: 0.3 }))).toEqual([]);
    });
  });

  describe('total_amount', () => {
    it('passes when it equals the items to the cent, whatever floating point says', () => {
      const items = [anItem({ quantity: 1, price: 0.1 }), anItem({ quantity: 1, price: 0.2 })];
      expect(errorsOf(anOrder({ items, total_amount: 0.3 }))).toEqual([]);
    });
    it.each([
      ['zero', 0, 'total_amount: total_amount must be a positive number'],
      ['3 decimals', 21.471, 'total_amount: total_amount must have at most 2 decimal places'],
      [
        'text',
        '21.47',
        'total_amount: total_amount must be a number conforming to the specified constraints',
      ],
      [
        'a mismatch',
        21.48,
        'total_amount: total_amount must equal the sum of quantity × price over items, to the cent',
      ],
      ['10^8', 100_000_000, 'total_amount: total_amount must not be greater than 99999999.99'],
    ])('fails with %s', (_, total, message) => {
      expect(errorsOf(anOrder({ total_amount: total }))).toContainEqual(message);
    });
  });

  describe('status', () => {
    it.each(['pending', 'confirmed', 'preparing', 'delivered', 'cancelled'])('passes with %s', (status) => {
      expect(errorsOf(anOrder({ status }))).toEqual([]);
    });
    it('fails with an unknown status', () => {
      expect(errorsOf(anOrder({ status: 'lost' }))).toContainEqual(
        'status: status must be one of the following values: pending, confirmed, preparing, delivered, cancelled',
      );
    });
  });

  describe('created_at', () => {
    it.each(['2025-01-10T14:30:00Z', '2026-11-22T14:30:00.123+01:00'])('passes with %s', (createdAt) => {
      expect(errorsOf(anOrder({ created_at: createdAt }))).toEqual([]);
    });
    it.each(['yesterday', '2026-13-45T00:00:00Z', 1763800000])('fails with %s', (createdAt) => {
      expect(errorsOf(anOrder({ created_at: createdAt }))).toContainEqual(
        'created_at: created_at must be a valid ISO 8601 date string',
      );
    });
  });

  describe('customer_email', () => {
    it('is optional', () => {
      expect(errorsOf(anOrder({ customer_email: undefined, customer_name: undefined }))).toEqual([]);
    });
    it('fails when it is not an email', () => {
      expect(errorsOf(anOrder({ customer_email: 'nope' }))).toContainEqual(
        'customer_email: customer_email must be an email',
      );
    });
  });
});

describe(hasOnlyDeclaredFields.name, () => {
  it.each([
    ['an order as the producer writes it', anOrder(), true],
    ['the minimal order of the original design', ORIGINAL_MINIMAL_ORDER, true],
    ['an unknown field', { ...anOrder(), coupon: 'SAVE10' }, false],
    [
      'an unknown item field',
      anOrder({ items: [{ ...anItem(), colour: 'green' }], total_amount: 4.5 }),
      false,
    ],
    [
      'a field named __proto__',
      JSON.parse(`{${JSON.stringify(anOrder()).slice(1, -1)},"__proto__":{}}`),
      false,
    ],
  ])('%s: %p', (_, order, expected) => {
    expect(hasOnlyDeclaredFields(order as never)).toBe(expected);
  });
});
