import { buildMessage, ValidateBy } from 'class-validator';

/**
 * True when PostgreSQL stores the string exactly as sent: it refuses NUL, and a lone surrogate
 * becomes U+FFFD on its way to UTF-8, so the row would differ from the message.
 */
export function isStorableText(value: string): boolean {
  return value.isWellFormed() && !value.includes('\0');
}

/** Text that PostgreSQL stores exactly as sent: a row must never differ from its message. */
export function IsStorableText(): PropertyDecorator {
  return ValidateBy({
    name: 'isStorableText',
    validator: {
      validate: (value: unknown) => typeof value !== 'string' || isStorableText(value),
      defaultMessage: buildMessage(
        (each) => `${each}$property must be text PostgreSQL can store as sent (no NUL, no lone surrogate)`,
      ),
    },
  });
}

/**
 * At most `max` characters as PostgreSQL's varchar(max) counts them: code points. class-validator's
 * MaxLength does not count U+FE0F (a variation selector), so 50 × "V\uFE0F" passed it and overflowed.
 */
export function MaxCharacters(max: number): PropertyDecorator {
  return ValidateBy({
    name: 'maxCharacters',
    constraints: [max],
    validator: {
      // A string has at least as many UTF-16 units as code points: most need no counting.
      validate: (value: unknown) =>
        typeof value !== 'string' || value.length <= max || codePoints(value) <= max,
      defaultMessage: buildMessage(
        (each) => `${each}$property must be shorter than or equal to $constraint1 characters`,
      ),
    },
  });
}

function codePoints(value: string): number {
  let count = 0;
  for (const _ of value) count += 1;
  return count;
}

/** A time of day followed by its zone: `Z` or an offset from UTC. */
const ZONED_TIME = /T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)$/i;

/**
 * A timestamp JavaScript and PostgreSQL both read as the same instant. ISO 8601 allows forms
 * (week dates, ordinal dates, basic format, comma fractions) that new Date() cannot read, and times
 * without a zone, which each reader takes in its own time zone (PostgreSQL in the session's, so a
 * consumer's TZ would change what is stored, and a redelivery read elsewhere would conflict).
 */
export function IsReadableTimestamp(): PropertyDecorator {
  return ValidateBy({
    name: 'isReadableTimestamp',
    validator: {
      validate: (value: unknown) =>
        typeof value !== 'string' || (ZONED_TIME.test(value) && Number.isFinite(Date.parse(value))),
      defaultMessage: buildMessage(
        (each) =>
          `${each}$property must be a date and time with a zone (Z or an offset) such as 2026-11-22T14:30:00Z, read as the same instant by JavaScript and PostgreSQL`,
      ),
    },
  });
}
