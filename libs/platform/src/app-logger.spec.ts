import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startupLogger } from './app-logger';

describe(startupLogger.name, () => {
  const saved = { ...process.env };
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'app-logger-'));
  });

  afterEach(() => {
    process.env = { ...saved };
    rmSync(dir, { recursive: true, force: true });
  });

  const linesOf = (file: string) =>
    readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  it('writes a failed start-up where the app logs: LOG_FILE, even when another setting is what is wrong', () => {
    const file = join(dir, 'consumer.log');
    Object.assign(process.env, { LOG_FILE: file, PRODUCER_RATE: 'abc' });
    startupLogger('order-consumer').fatal(
      { reason: 'PRODUCER_RATE="abc" is invalid' },
      'configuration error',
    );
    expect(linesOf(file)).toEqual([
      expect.objectContaining({ level: 60, app: 'order-consumer', msg: 'configuration error' }),
    ]);
  });

  it('falls back to the defaults (JSON on stdout) when the LOG_* settings are what is wrong', () => {
    Object.assign(process.env, { LOG_FILE: join(dir, 'never.log'), LOG_LEVEL: 'loud' });
    const logger = startupLogger('order-producer');
    expect(logger.level).toBe('info');
    expect(() => readFileSync(join(dir, 'never.log'))).toThrow(/ENOENT/);
  });
});
