import { classifyError } from './classify-error';
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
  ])('calls a data exception (SQLSTATE class 22), %s, invalid: the record is at fault', (_, error) => {
    expect(classifyError(error)).toBe('invalid');
  });

  it('calls everything else unexpected', () => {
    expect(classifyError(pgError('23502', 'null value violates not-null constraint'))).toBe('unexpected');
    expect(classifyError(new TypeError('x is undefined'))).toBe('unexpected');
    expect(classifyError('a string')).toBe('unexpected');
  });
});
