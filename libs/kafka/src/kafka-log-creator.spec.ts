import { Logger } from '@nestjs/common';
import { logLevel } from 'kafkajs';
import { kafkaLogCreator } from './kafka-log-creator';

function logged(level: logLevel, message: string, fields: Record<string, unknown> = {}) {
  const spies = {
    error: jest.spyOn(Logger.prototype, 'error').mockImplementation(),
    warn: jest.spyOn(Logger.prototype, 'warn').mockImplementation(),
    info: jest.spyOn(Logger.prototype, 'log').mockImplementation(),
    debug: jest.spyOn(Logger.prototype, 'debug').mockImplementation(),
  };
  kafkaLogCreator(logLevel.INFO)({
    namespace: 'Connection',
    level,
    label: 'ERROR',
    log: { message, timestamp: 'now', logger: 'kafkajs', ...fields },
  });
  const [at] = Object.entries(spies).filter(([, spy]) => spy.mock.calls.length > 0);
  const entry = at[1].mock.calls[0][0] as unknown;
  jest.restoreAllMocks();
  return { level: at[0], entry };
}

describe('kafkaLogCreator', () => {
  it('logs kafkajs entries as JSON fields at their level', () => {
    expect(logged(logLevel.ERROR, 'Connection error', { broker: 'b:9092' })).toEqual({
      level: 'error',
      entry: { msg: '[Connection] Connection error', broker: 'b:9092' },
    });
    expect(logged(logLevel.WARN, 'something odd').level).toBe('warn');
  });

  it.each([
    'The group coordinator is not available',
    'The coordinator is loading and hence can’t process requests for this group',
    'There is no leader for this topic-partition as we are in the middle of a leadership election',
    'This server does not host this topic-partition',
    'The group is rebalancing, so a rejoin is needed',
  ])('logs a cluster state kafkajs retries by itself at info, not as an error: %s', (error) => {
    expect(logged(logLevel.ERROR, 'Response Metadata(key: 3, version: 6)', { error }).level).toBe('info');
  });

  it('keeps the producers’ retry cap warning, said on purpose, out of a healthy start', () => {
    expect(
      logged(logLevel.WARN, 'Limiting retries for the idempotent producer may invalidate EoS guarantees')
        .level,
    ).toBe('debug');
  });
});
