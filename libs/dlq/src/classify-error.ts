import { PermanentMessageError, PermanentReason } from './message-errors';

export type ErrorClass = PermanentReason | 'transient' | 'unexpected';

// SQLSTATE codes that a retry can cure: serialization failure, deadlock, statement timeout /
// cancel, lock timeout, shutdown and "cannot connect now", too many connections, and every
// connection exception (class 08).
const TRANSIENT_SQLSTATES = new Set([
  '40001',
  '40P01',
  '57014',
  '55P03',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '53400',
]);
// Class 22, data exception: PostgreSQL cannot store a value as sent (a NUL character, a number out
// of range). The record is at fault, and every retry would fail the same way.
const DATA_EXCEPTION_CLASS = '22';
const TRANSIENT_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
const TRANSIENT_MESSAGES = [
  // Socket errors sometimes arrive re-wrapped as plain text ("Error: read ECONNRESET"), without a code.
  /\b(ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN)\b/,
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /connection timeout/i,
  /query read timeout/i,
  /Client has encountered a connection error/i,
  /Connection terminated unexpectedly/i,
  /the database system is (starting up|shutting down)/i,
  // TypeORM's answer when the connection under a query runner was lost (e.g. its backend was killed).
  /QueryRunnerAlreadyReleasedError|Query runner already released/i,
];

/**
 * Sorts a processing failure into what the consumer should do with the record: dead-letter it now
 * (permanent), wait and retry without committing (transient), or retry a few times then dead-letter
 * (unexpected). Only errors the infrastructure can cure are transient.
 */
export function classifyError(error: unknown): ErrorClass {
  if (error instanceof PermanentMessageError) return error.reason;
  if (isTransient(error)) return 'transient';
  return sqlState(error)?.startsWith(DATA_EXCEPTION_CLASS) ? 'invalid' : 'unexpected';
}

/**
 * Name and message of anything thrown. Duck-typed on purpose: errors raised inside Node's own
 * modules (sockets) can come from another realm, where `instanceof Error` is false.
 */
export function describeError(error: unknown): { name: string; message: string } {
  if (typeof error === 'object' && error !== null && 'message' in error) {
    const { name, message } = error as { name?: unknown; message?: unknown };
    return { name: typeof name === 'string' ? name : 'Error', message: String(message) };
  }
  return { name: typeof error, message: String(error) };
}

function isTransient(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 3) return false;
  const { code, driverError, cause } = error as { code?: unknown; driverError?: unknown; cause?: unknown };
  if (
    typeof code === 'string' &&
    (TRANSIENT_SQLSTATES.has(code) || code.startsWith('08') || TRANSIENT_NODE_CODES.has(code))
  ) {
    return true;
  }
  const { message } = describeError(error);
  if (TRANSIENT_MESSAGES.some((pattern) => pattern.test(message))) return true;
  return isTransient(driverError, depth + 1) || isTransient(cause, depth + 1);
}

function sqlState(error: unknown): string | undefined {
  const { code, driverError } = (error ?? {}) as { code?: unknown; driverError?: { code?: unknown } };
  const state = typeof code === 'string' ? code : driverError?.code;
  return typeof state === 'string' && /^[0-9A-Z]{5}$/.test(state) ? state : undefined;
}
