import { INestApplicationContext, Logger } from '@nestjs/common';
import pino from 'pino';
import { exitOnSignals, exitOnStartupError } from './graceful-shutdown';
import { StartupError } from './startup';

describe(exitOnSignals.name, () => {
  let handlers: Record<string, (signal: NodeJS.Signals) => void>;
  let exit: jest.SpyInstance;
  const logged: string[] = [];

  beforeEach(() => {
    handlers = {};
    logged.length = 0;
    // What the app's logger would print, kept for the assertions instead of Nest's console output.
    for (const level of ['log', 'warn', 'error'] as const) {
      jest.spyOn(Logger.prototype, level).mockImplementation((...[message]: unknown[]) => {
        logged.push(`${level}: ${String(message)}`);
      });
    }
    jest.spyOn(process, 'on').mockImplementation(((
      event: string,
      handler: (signal: NodeJS.Signals) => void,
    ) => {
      handlers[event] = handler;
      return process;
    }) as typeof process.on);
    exit = jest.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    // Deadline timers of closes that never finish must not outlive the test.
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
  });

  afterEach(() => {
    jest.clearAllTimers();
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  const app = (close: () => Promise<void>) => ({ close }) as unknown as INestApplicationContext;

  it('closes the app on SIGTERM and exits 0', async () => {
    const close = jest.fn().mockResolvedValue(undefined);
    exitOnSignals(app(close));
    handlers.SIGTERM('SIGTERM');
    await Promise.resolve();
    await Promise.resolve();
    expect(close).toHaveBeenCalledTimes(1);
    expect(exit).toHaveBeenCalledWith(0);
    expect(logged).toEqual(['log: SIGTERM: finishing work in flight']);
  });

  it('exits 1 at once on a second signal, without waiting for the close', () => {
    exitOnSignals(app(() => new Promise(() => undefined)));
    handlers.SIGTERM('SIGTERM');
    handlers.SIGINT('SIGINT');
    expect(exit).toHaveBeenCalledWith(1);
    expect(logged).toContain('warn: second SIGINT while shutting down: exiting now');
  });

  it('exits 1 when closing fails, or when it takes longer than the deadline', async () => {
    const shutdown = exitOnSignals(
      app(() => new Promise(() => undefined)),
      1_000,
    );
    shutdown('run complete');
    shutdown('run complete'); // a second internal call is ignored
    jest.advanceTimersByTime(1_000);
    expect(exit).toHaveBeenCalledWith(1);

    exit.mockClear();
    exitOnSignals(app(() => Promise.reject(new Error('pool stuck'))))('run complete');
    await new Promise((done) => setImmediate(done));
    expect(exit).toHaveBeenCalledWith(1);
    expect(logged.filter((line) => line.startsWith('error'))).toEqual([
      'error: shutdown took longer than 1000 ms: exiting',
      'error: shutdown failed: Error: pool stuck',
    ]);
  });

  /** The app's logger as createAppLogger makes it, writing to an array instead of stdout. */
  function appLogger() {
    const lines: Record<string, unknown>[] = [];
    const logger = pino(
      { base: { app: 'order-consumer' } },
      { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
    );
    return { lines, logger: () => logger };
  }

  it('reports a failed start-up as one JSON line naming the dependency, the cause and the fix, and exits 1', () => {
    const { lines, logger } = appLogger();
    exitOnStartupError(
      'order-consumer',
      logger,
    )(new StartupError('database', '127.0.0.1:5432/orders: database "orders" does not exist', 'create it'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 60,
      app: 'order-consumer',
      msg: 'failed to start',
      dependency: 'database',
      reason: '127.0.0.1:5432/orders: database "orders" does not exist',
      fix: 'create it',
    });
    expect(exit).toHaveBeenCalledWith(1);
  });

  it('names any other start-up error by its class and message', () => {
    const { lines, logger } = appLogger();
    exitOnStartupError('order-producer', logger)(new TypeError('boom'));
    expect(lines[0]).toMatchObject({
      msg: 'failed to start',
      reason: 'TypeError: boom',
    });
  });
});
