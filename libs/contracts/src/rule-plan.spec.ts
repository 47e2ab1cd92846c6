import { validateSync } from 'class-validator';
import { brokenRules } from './rule-plan';
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
