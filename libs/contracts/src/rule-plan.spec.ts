import { isEmail, isISO8601, maxLength, validateSync } from 'class-validator';
import { OrderItemDto } from './order-item.dto';
import { OrderDto } from './order.dto';
import { PROVEN_PASSES } from './proven-passes';
import { brokenRules, rulesOf } from './rule-plan';
import { anItem, anOrder } from './testing/order.factory';
import { toOrderDto } from './validate-order';

/** Values of every JSON type and the edges of the contract's rules. */
const PALETTE: unknown[] = [
  undefined,
  null,
  true,
  0,
  -1,
  1,
  1.5,
  4.505,
  1e-7,
  1e21,
  99_999_999.99,
  100_000_000,
  '',
  'x',
  'X'.repeat(51),
  '21.47',
  'pending',
  'lost',
  '2026-11-22T14:30:00.000Z',
  '2024-W01-1',
  '2024-060T10:00:00Z',
  'ORD-1\ud800',
  'Soup\u0000',
  'V\uFE0F'.repeat(50),
  '20240501T100000Z',
  'not-an-email',
  'ada@example.com',
  [],
  [1],
  [{}],
  {},
  { name: 'Soup' },
];

function variants(): Array<Record<string, unknown>> {
  const base = anOrder() as unknown as Record<string, unknown>;
  const out: Array<Record<string, unknown>> = [base];
  for (const field of [...Object.keys(base), 'unknown_field']) {
    for (const value of PALETTE) out.push({ ...base, [field]: value });
  }
  for (const field of ['item_id', 'name', 'quantity', 'price', 'subtotal']) {
    for (const value of PALETTE) {
      const item = { ...anItem(), [field]: value } as Record<string, unknown>;
      out.push({ ...base, items: [item], total_amount: 4.5 });
      out.push({ ...base, items: [anItem(), item], total_amount: 9 });
    }
  }
  for (const value of PALETTE) out.push({ ...base, items: [value] });
  out.push({ ...base, items: Array.from({ length: 101 }, () => anItem()), total_amount: 454.5 });
  return out;
}

/** class-validator's verdict; a validator that throws (validator.js on some malformed text) says no. */
function fullyValid(value: Record<string, unknown>): boolean {
  try {
    return validateSync(toOrderDto(value), { forbidUnknownValues: true }).length === 0;
  } catch {
    return false;
  }
}

describe(brokenRules.name, () => {
  it('decides every variant of an order exactly as class-validator does', () => {
    const disagreements = variants().flatMap((value) => {
      const fast = brokenRules(toOrderDto(value)).length === 0;
      const full = fullyValid(value);
      return fast === full ? [] : [{ value, fast, full }];
    });
    expect(disagreements).toEqual([]);
    expect(variants()).toHaveLength(642);
  });

  it('names each broken rule with its path', () => {
    const order = anOrder({ order_id: '', items: [anItem({ quantity: 0 }), 'soup'], total_amount: 4.5 });
    expect(brokenRules(toOrderDto(order as unknown as Record<string, unknown>))).toEqual([
      'order_id: isNotEmpty',
      'items: isObject',
      'items.0.quantity: min',
      'items.1: nestedValidation',
    ]);
  });

  it('rejects an object of a class without rules, as forbidUnknownValues does', () => {
    expect(brokenRules({})).toEqual(['value: unknownValue']);
  });
});

describe(rulesOf.name, () => {
  const checkOrder = rulesOf(OrderDto, { items: OrderItemDto });

  it('finds in a value straight from JSON.parse the rules its DTO instances break, every variant', () => {
    const disagreements = variants().flatMap((value) => {
      // Through JSON, as a record arrives: undefined fields vanish, as from a producer's JSON.
      const parsed = JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
      const inPlace = checkOrder(parsed);
      const copied = brokenRules(toOrderDto(parsed));
      return JSON.stringify(inPlace) === JSON.stringify(copied) ? [] : [{ value, inPlace, copied }];
    });
    expect(disagreements).toEqual([]);
  });
});

/** Every string built from `alphabet` up to `length` long, picked by a seeded walk (not all: a sample). */
function sample(alphabet: string[], length: number, count: number, seed = 7): string[] {
  let state = seed;
  const next = () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: count }, () =>
    Array.from(
      { length: 1 + Math.floor(next() * length) },
      () => alphabet[Math.floor(next() * alphabet.length)],
    ).join(''),
  );
}

describe('PROVEN_PASSES', () => {
  /** Values a proven pass says yes to that its validator refuses: must be none. */
  function unsound(
    name: string,
    values: unknown[],
    rule: (value: unknown) => boolean,
    constraints: unknown[] = [],
  ) {
    return values.filter((value) => PROVEN_PASSES[name](value, constraints) && !rule(value));
  }

  const emailParts = [...'aZ09._-+@!#$%&*/=?^`{|}~"\\ é', '..', '@@', '.com', '.c', '.123', '-.', 'xn--'];
  const emails = [
    ...sample(emailParts, 30, 20_000),
    ...sample(['a', '.', '@', 'b', '-', 'c'], 12, 5_000, 11),
    `${'a'.repeat(64)}@example.com`,
    `${'a'.repeat(65)}@example.com`,
    `a@${'b'.repeat(63)}.com`,
    `a@${'b'.repeat(64)}.com`,
    `a@${'b.'.repeat(125)}com`,
    'a@b.co',
    'a@b.c',
    'a@-b.com',
    'a@b-.com',
    'a.@b.com',
    '.a@b.com',
    'a..b@c.com',
    'a@b..com',
    'a@b_c.com',
    'a@b.com1',
    'a_b@c.com',
  ];
  const timestamps = [
    ...['1900', '2000', '2023', '2024', '0999', '1000', '9999'].flatMap((year) =>
      ['01', '02', '04', '12', '13', '00'].flatMap((month) =>
        ['00', '01', '28', '29', '30', '31', '32'].flatMap((day) =>
          ['00:00:00', '23:59:59', '24:00:00', '12:60:00', '12:00:60'].flatMap((time) =>
            ['Z', 'z', '.5Z', '.123456789Z', '+01:00', '-23:59', '+24:00', '+0100', ''].map(
              (zone) => `${year}-${month}-${day}T${time}${zone}`,
            ),
          ),
        ),
      ),
    ),
    '2026-11-22 14:30:00Z',
    '2026-11-22T14:30Z',
    '+2026-11-22T14:30:00Z',
  ];

  it('isEmail: says yes only where validator.js does, and to what the producer writes', () => {
    expect(unsound('isEmail', emails, (value) => isEmail(value))).toEqual([]);
    const producers = [
      'ada.lovelace@example.com',
      'jo_smith12@mail.example.org',
      "o'hara+food@ex-ample.co.uk",
    ];
    expect(producers.filter((value) => !PROVEN_PASSES.isEmail(value, [undefined]))).toEqual([]);
    expect(PROVEN_PASSES.isEmail('ada@example.com', [{ require_display_name: true }])).toBe(false);
    expect(emails.filter((value) => PROVEN_PASSES.isEmail(value, [undefined])).length).toBeGreaterThan(20);
  });

  it('isIso8601: says yes only where validator.js does, strict or not, and to what the producer writes', () => {
    for (const options of [{ strict: true, strictSeparator: true }, {}]) {
      expect(unsound('isIso8601', timestamps, (value) => isISO8601(value, options), [options])).toEqual([]);
    }
    expect(PROVEN_PASSES.isIso8601(new Date().toISOString(), [])).toBe(true);
    expect(timestamps.filter((value) => PROVEN_PASSES.isIso8601(value, [])).length).toBeGreaterThan(900);
  });

  it('maxLength: says yes only where validator.js does, surrogate pairs and variation selectors included', () => {
    const texts = sample(['a', '\uFE0F', '\uFE0E', '🍣', '\ud800', 'é'], 12, 5_000);
    for (const max of [0, 1, 5, 10]) {
      expect(unsound('maxLength', [...texts, 5, null], (value) => maxLength(value, max), [max])).toEqual([]);
    }
  });
});
