import { centsToDecimal, lineCents, toCents } from './money';

describe('money', () => {
  it('converts amounts with two decimals to exact cents', () => {
    expect(toCents(8.99)).toBe(899);
    expect(toCents(0.1 + 0.2)).toBe(30);
  });

  it('formats cents as a decimal string for numeric(10,2)', () => {
    expect(centsToDecimal(2147)).toBe('21.47');
    expect(centsToDecimal(5)).toBe('0.05');
    expect(centsToDecimal(-150)).toBe('-1.50');
  });

  it('prices a line in cents', () => {
    expect(lineCents(3, 0.1)).toBe(30);
  });
});
