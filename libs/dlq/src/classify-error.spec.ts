import { classifyError, SharedFailureError, smallerMayPass } from './classify-error';
import { ConflictingDuplicateError, InvalidMessageError, PoisonMessageError } from './message-errors';

function pgError(code: string, message = 'database error'): Error {
  return Object.assign(new Error(message), { code });
}

describe(classifyError.name, () => {
  it('passes permanent reasons through', () => {
    expect(classifyError(new PoisonMessageError('x'))).toBe('poison');
    expect(classifyError(new InvalidMessageError(['a: b']))).toBe('invalid');
    expect(classifyError(new ConflictingDuplicateError('x'))).toBe('conflicting-duplicate');
  });

  it.each([
    ['serialization failure', pgError('40001')],
    ['deadlock', pgError('40P01')],
    ['statement timeout', pgError('57014')],
    ['admin shutdown', pgError('57P01')],
    ['connection failure', pgError('08006')],
    ['connection refused', pgError('ECONNREFUSED')],
    ['connection reset', pgError('ECONNRESET')],
    ['a dropped connection', new Error('Connection terminated unexpectedly')],
    ['a pool timeout', new Error('timeout exceeded when trying to connect')],
    ['a reset re-wrapped as text', new Error('Error: read ECONNRESET')],
    ['a lock wait over lock_timeout', pgError('55P03')],
    ['a silent connection (query_timeout)', new Error('Query read timeout')],
    [
      'a query runner whose backend was killed',
      new Error('Query runner already released. Cannot run queries anymore.'),
    ],
    // A database that answers but refuses: the environment's fault, whatever the record.
    ['a read-only transaction (a standby after a fail-over)', pgError('25006')],
    ['a revoked grant', pgError('42501', 'permission denied for table orders')],
    ['a rotated password', pgError('28P01')],
    ['a dropped database', pgError('3D000')],
    ['a full disk', pgError('53100')],
    ['out of memory', pgError('53200')],
    ['too many connections', pgError('53300')],
    ['a statement too complex', pgError('54001')],
    ['cannot connect now', pgError('57P03')],
    ['an I/O error', pgError('58030')],
    ['an internal error', pgError('XX000')],
    ['a NOT NULL column the consumer does not know', pgError('23502', 'null value in column "region"')],
    ['a failure every part of a batch met alike', new SharedFailureError(new Error('relation missing'))],
  ])('calls %s transient', (_, error) => {
    expect(classifyError(error)).toBe('transient');
  });

  it('looks through TypeORM and cause wrappers', () => {
    const wrapped = Object.assign(new Error('query failed'), { driverError: pgError('40P01') });
    expect(classifyError(wrapped)).toBe('transient');
    expect(classifyError(new Error('outer', { cause: pgError('ECONNRESET') }))).toBe('transient');
  });

  it.each([
    ['NUL in text', pgError('22021', 'invalid byte sequence for encoding "UTF8": 0x00')],
    ['a value too long for its column', pgError('22001', 'value too long for type character varying(50)')],
    [
      'NUL in jsonb, behind a TypeORM wrapper',
      Object.assign(new Error('query failed'), { driverError: pgError('22P05') }),
    ],
    ['a CHECK constraint', pgError('23514', 'violates check constraint "orders_total_cap"')],
    ['a unique index other than the key', pgError('23505')],
  ])(
    'calls a data exception or constraint violation (SQLSTATE class 22, 23), %s, invalid: the record is at fault',
    (_, error) => {
      expect(classifyError(error)).toBe('invalid');
    },
  );

  it('calls everything else unexpected', () => {
    expect(classifyError(pgError('42P01', 'relation "orders" does not exist'))).toBe('unexpected');
    expect(classifyError(new TypeError('x is undefined'))).toBe('unexpected');
    expect(classifyError('a string')).toBe('unexpected');
  });

  it('says which environment failures a smaller statement may get past', () => {
    expect(smallerMayPass(pgError('57014', 'canceling statement due to statement timeout'))).toBe(true);
    // The client's query_timeout outlasts the server's statement_timeout: it means a silent link.
    expect(smallerMayPass(new Error('Query read timeout'))).toBe(false);
    expect(smallerMayPass(pgError('53200'))).toBe(true);
    expect(smallerMayPass(pgError('25006'))).toBe(false);
    expect(smallerMayPass(pgError('ECONNREFUSED'))).toBe(false);
  });
});
