/**
 * Cheap tests that prove a validator.js rule passes, for the shapes of value producers write. Each
 * is sound, never complete: true means the rule would say yes; false means nothing, and the rule
 * itself decides. validator.js splits, merges options and builds arrays on every call (isEmail
 * about 2.5 KB of garbage per address): these are a regular expression or a length.
 * rule-plan.spec.ts holds each one to its rule on thousands of values.
 */
export type ProvenPass = (value: unknown, constraints: unknown[]) => boolean;

// A dot-atom local part (RFC 5322) of ASCII and a domain of LDH labels ending in a letters-only
// TLD: what isEmail accepts with its default options, short of its length limits (checked below).
const PLAIN_EMAIL =
  /^[\w!#$%&'*+/=?^`{|}~-]+(\.[\w!#$%&'*+/=?^`{|}~-]+)*@([a-z\d]([a-z\d-]{0,61}[a-z\d])?\.)+[a-z]{2,63}$/i;

// Calendar date, T, time to the second (any fraction), and Z or an offset in hours and minutes.
const PLAIN_TIMESTAMP =
  /^([1-9]\d{3})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
}

/** By class-validator constraint name. */
export const PROVEN_PASSES: Record<string, ProvenPass> = {
  // validator.js's isLength counts a surrogate pair or a variation selector as less than two, never more.
  maxLength: (value, [max]) => typeof value === 'string' && value.length <= (max as number),
  // Only with isEmail's default options (no display name, TLD required, …): with others it decides.
  isEmail: (value, [options]) =>
    options === undefined &&
    typeof value === 'string' &&
    value.length <= 254 &&
    value.indexOf('@') <= 64 &&
    PLAIN_EMAIL.test(value),
  // The strict ISO 8601 form (T separator, a date that exists) whatever the options ask.
  isIso8601: (value) => {
    if (typeof value !== 'string') return false;
    const match = PLAIN_TIMESTAMP.exec(value);
    return match !== null && Number(match[3]) <= daysIn(Number(match[1]), Number(match[2]));
  },
};
