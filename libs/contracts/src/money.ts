/**
 * Money travels as JSON numbers with at most two decimals and is compared in integer cents, so
 * 0.1 + 0.2 never decides whether an order is valid. It reaches PostgreSQL as a decimal string.
 */
export function toCents(amount: number): number {
  return Math.round(amount * 100);
}

export function centsToDecimal(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

export function lineCents(quantity: number, price: number): number {
  return quantity * toCents(price);
}
