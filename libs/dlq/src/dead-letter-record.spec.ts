import { deadLetterRecord, stripDlqHeaders } from './dead-letter-record';
import { truncateUtf8 } from './dead-letter.headers';

describe(deadLetterRecord.name, () => {
  const source = {
    topic: 'food-orders',
    partition: 0,
    consumerGroup: 'order-processors',
    message: {
      key: null,
      value: Buffer.from('[]'),
      headers: { 'x-dlq-reason': 'invalid', 'x-dlq-replays': '1', trace: 'abc' },
      offset: '7',
      timestamp: '1',
      attributes: 0,
    },
  };

  it('replaces an earlier failure headers but keeps the replay count and the original headers', () => {
    const record = deadLetterRecord(source, {
      reason: 'poison',
      error: new Error('value is JSON array'),
      attempts: 1,
    });
    expect(record.key).toBeNull();
    expect(record.headers).toMatchObject({ trace: 'abc', 'x-dlq-replays': '1', 'x-dlq-reason': 'poison' });
  });

  it('limits the error message to 1 KiB', () => {
    const long = 'é'.repeat(2000);
    const record = deadLetterRecord(source, { reason: 'invalid', error: new Error(long), attempts: 1 });
    const message = record.headers!['x-dlq-error-message'] as string;
    expect(Buffer.byteLength(message)).toBeLessThanOrEqual(1024);
    expect(message.endsWith('…')).toBe(true);
    expect(truncateUtf8('short')).toBe('short');
  });

  it('records a non-Error failure by its type', () => {
    const record = deadLetterRecord(source, { reason: 'unexpected', error: 'boom', attempts: 3 });
    expect(record.headers).toMatchObject({ 'x-dlq-error-class': 'string', 'x-dlq-error-message': 'boom' });
    expect(stripDlqHeaders({ 'x-dlq-reason': 'x', a: 'b' }, [])).toEqual({ a: 'b' });
  });
});
