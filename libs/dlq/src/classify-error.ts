import { PermanentMessageError, PermanentReason } from './message-errors';

/**
 * Whose fault a failure is:
 * - a permanent reason (poison, invalid, conflicting-duplicate): the record's, dead-lettered at once;
 * - 'transient': the environment's (the database, the network, their permissions), waited out
 *   with the partition held, never dead-lettered;
 * - 'unexpected': not known; decided by evidence (does it follow one record when its batch is split?).
 */
export type ErrorClass = PermanentReason | 'transient' | 'unexpected';

// SQLSTATE classes that say the database, not the record, is wrong: connection exception (08),
// invalid authorization (28), invalid catalog name (3D), insufficient resources (53: disk full,
// out of memory, too many connections), program limit exceeded (54), object not in prerequisite
// state (55: lock timeout, object in use), operator intervention (57: statement timeout, admin
// shutdown, cannot connect now), system error (58: I/O), internal error (XX).
const ENVIRONMENT_CLASSES = new Set(['08', '28', '3D', '53', '54', '55', '57', '58', 'XX']);
const ENVIRONMENT_SQLSTATES = new Set([
  // A read-only transaction: the node became a standby after a fail-over (default_transaction_read_only).
  '25006',
  // A revoked grant: the role may no longer write the table.
  '42501',
  // Serialization failure and deadlock: the same statement succeeds when tried again.
  '40001',
  '40P01',
  // Not null violated: every column the consumer writes is non-null by the contract, so the table
  // has gained a NOT NULL column the consumer does not know (a migration ahead of the code).
  '23502',
]);
// Data exception (22) and integrity constraint violation (23): PostgreSQL refuses this record's
// values (a NUL character, a number out of range, a CHECK constraint): every retry fails alike.
const RECORD_CLASSES = new Set(['22', '23']);
// Failures a smaller statement can get past: the server's statement timeout (57014), out of memory
// (53200), a statement too complex (54xxx). Not the client's query_timeout: it fires after the
// server's own timeout would have, so it means a link that carries nothing, whatever the size.
const SIZE_SQLSTATES = new Set(['57014', '53200']);

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
 * Thrown when every part of a batch failed alike with an error no rule explains: the cause is
 * shared (a dropped table, a broken trigger), so the batch is held like any environment fault.
 */
export class SharedFailureError extends Error {
  readonly name = 'SharedFailureError';

  constructor(readonly error: unknown) {
    super(`every order of the batch failed alike: ${describeError(error).message}`, { cause: error });
  }
}

/** Sorts a processing failure by whose fault it is (see ErrorClass). */
export function classifyError(error: unknown): ErrorClass {
  if (error instanceof PermanentMessageError) return error.reason;
  if (error instanceof SharedFailureError || isEnvironment(error)) return 'transient';
  const state = sqlState(error);
  return state && RECORD_CLASSES.has(state.slice(0, 2)) ? 'invalid' : 'unexpected';
}

/** An environment failure that a statement over fewer rows may get past (a timeout, memory). */
export function smallerMayPass(error: unknown): boolean {
  const state = sqlState(error);
  return !!state && (SIZE_SQLSTATES.has(state) || state.startsWith('54'));
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

/**
 * A Kafka client error's message with the broker's reason when there is one (MESSAGE_TOO_LARGE,
 * NOT_ENOUGH_REPLICAS…), on the error itself or on the cause kafkajs wrapped after its retries.
 */
export function describeKafkaError(error: unknown): string {
  const { message } = describeError(error);
  const { type, cause } = (error ?? {}) as { type?: unknown; cause?: { type?: unknown } };
  const reason = typeof type === 'string' ? type : typeof cause?.type === 'string' ? cause.type : undefined;
  return reason && !message.includes(reason) ? `${message} (${reason})` : message;
}

/** The SQLSTATE of a PostgreSQL error, bare (pg) or wrapped (TypeORM's driverError, a cause). */
export function sqlState(error: unknown, depth = 0): string | undefined {
  if (typeof error !== 'object' || error === null || depth > 3) return undefined;
  const { code, driverError, cause } = error as { code?: unknown; driverError?: unknown; cause?: unknown };
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  return sqlState(driverError, depth + 1) ?? sqlState(cause, depth + 1);
}

function isEnvironment(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 3) return false;
  const { code, driverError, cause } = error as { code?: unknown; driverError?: unknown; cause?: unknown };
  if (typeof code === 'string') {
    if (ENVIRONMENT_SQLSTATES.has(code) || TRANSIENT_NODE_CODES.has(code)) return true;
    if (/^[0-9A-Z]{5}$/.test(code) && ENVIRONMENT_CLASSES.has(code.slice(0, 2))) return true;
  }
  const { message } = describeError(error);
  if (TRANSIENT_MESSAGES.some((pattern) => pattern.test(message))) return true;
  return isEnvironment(driverError, depth + 1) || isEnvironment(cause, depth + 1);
}
