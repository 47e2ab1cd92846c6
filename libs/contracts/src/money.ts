import { buildMessage, ValidateBy } from 'class-validator';

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

/**
 * True when a number has at most two decimals: rounded to the cent, it reads back as the same
 * number. Exact for every amount the contract allows (far below 2^44 cents), exponent forms
 * included: 1e-7 rounds to 0 and fails, where class-validator's maxDecimalPlaces throws.
 */
export function hasAtMostTwoDecimals(value: number): boolean {
  return Number.isFinite(value) && Math.round(value * 100) / 100 === value;
}

/** Money rule for order fields: at most two decimals (class-validator's maxDecimalPlaces throws on 1e-7). */
export function IsMoneyAmount(): PropertyDecorator {
  return ValidateBy({
    name: 'isMoneyAmount',
    validator: {
      validate: (value: unknown) => typeof value !== 'number' || hasAtMostTwoDecimals(value),
      defaultMessage: buildMessage((each) => `${each}$property must have at most 2 decimal places`),
    },
  });
}
