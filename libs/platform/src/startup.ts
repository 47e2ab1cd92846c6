import { backoffDelay, delay, RETRY_POLICY } from './backoff';

/** Why an app cannot start: which dependency, what happened, and what to do about it. */
export class StartupError extends Error {
  readonly name = 'StartupError';

  constructor(
    readonly dependency: string,
    readonly reason: string,
    readonly fix: string,
  ) {
    super(`${dependency}: ${reason}`);
  }
}

/** Where start-up says what it waits for: the app's logger (an injected PinoLogger, or pino itself). */
export interface StartupLog {
  warn(fields: object, msg: string): void;
}

/**
 * On a terminal, a readable line on stderr beside the JSON one, for what went wrong or is awaited:
 * a user waiting for the app must see what it waits for.
 */
export function sayOnTerminal(msg: string, fields: Record<string, unknown>): void {
  if (!process.stderr.isTTY) return;
  const text = (key: string) => (typeof fields[key] === 'string' ? fields[key] : undefined);
  const fix = text('fix');
  const parts = [text('dependency'), text('reason'), fix && `fix: ${fix}`];
  process.stderr.write(`${msg}: ${parts.filter(Boolean).join('; ')}\n`);
}

export interface DependencyWait {
  /** Start-up lines go through the app's logger, which writes them at once (Nest's own buffers until start-up ends). */
  logger: StartupLog;
  /** e.g. 'database', 'Kafka broker' */
  dependency: string;
  /** Where it is expected, without secrets: host:port/database, the broker list. */
  where: string;
  /** How long a dependency that is not (yet) there is waited for; 0 tries once. */
  waitMs: number;
  /** What to do when it never answered. */
  fix: string;
  /** The fix for a cause no wait can cure (a database that does not exist, a wrong password). */
  permanent?: (error: unknown) => string | undefined;
  everyMs?: number;
}

/**
 * Connects to a dependency at start-up: a refused or silent one (still starting, e.g. in compose)
 * is retried for `waitMs` with a line every few seconds saying what the app waits for; a permanent
 * cause, or the wait running out, is a StartupError naming the dependency, the cause and the fix.
 */
export async function connectAtStartup<T>(connect: () => Promise<T>, wait: DependencyWait): Promise<T> {
  const started = Date.now();
  const { everyMs = 5_000 } = wait;
  let lastLine = -Infinity; // the first refusal is said at once, then every few seconds
  for (let attempt = 1; ; attempt++) {
    try {
      return await connect();
    } catch (error) {
      const reason = reasonOf(error);
      const fix = wait.permanent?.(error);
      if (fix) throw new StartupError(wait.dependency, `${wait.where}: ${reason}`, fix);
      const waited = Date.now() - started;
      if (waited >= wait.waitMs) {
        const within = wait.waitMs > 0 ? ` within ${Math.round(wait.waitMs / 1000)} s` : '';
        throw new StartupError(wait.dependency, `no answer from ${wait.where}${within}: ${reason}`, wait.fix);
      }
      if (Date.now() - lastLine >= everyMs) {
        lastLine = Date.now();
        const fields = {
          dependency: wait.dependency,
          where: wait.where,
          reason,
          waited_s: Math.round(waited / 1000),
          gives_up_in_s: Math.round((wait.waitMs - waited) / 1000),
        };
        wait.logger.warn(fields, `waiting for the ${wait.dependency}`);
        sayOnTerminal(`waiting for the ${wait.dependency}`, fields);
      }
      const pause = backoffDelay(attempt, RETRY_POLICY.baseMs, RETRY_POLICY.capMs);
      await delay(Math.min(pause, Math.max(0, wait.waitMs - waited)));
    }
  }
}

/** A one-line cause: pg reports a refused localhost as an AggregateError without a message. */
export function reasonOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return reasonOf(error.errors[0]);
  const { message, code } = (error ?? {}) as { message?: unknown; code?: unknown };
  if (typeof message === 'string' && message) return message;
  return typeof code === 'string' ? code : String(error);
}
