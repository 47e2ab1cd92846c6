import { ConfigError } from '@app/config';
import { INestApplicationContext, Logger } from '@nestjs/common';
import { Logger as PinoRoot } from 'pino';
import { startupLogger } from './app-logger';
import { reasonOf, sayOnTerminal, StartupError } from './startup';

export const SHUTDOWN_DEADLINE_MS = 10_000;

/**
 * SIGTERM/SIGINT close the app (each provider finishes its work in flight) and exit 0.
 * A second signal, or missing the deadline, exits 1 at once without waiting for anything.
 * (Nest's enableShutdownHooks re-raises the signal after closing, so the exit code would be 143.)
 * Returns the same shutdown for the app's own use, e.g. when a bounded run is complete.
 */
export function exitOnSignals(
  app: INestApplicationContext,
  deadlineMs = SHUTDOWN_DEADLINE_MS,
): (reason: string) => void {
  const logger = new Logger('Shutdown');
  let closing = false;
  const shutdown = (reason: string) => {
    if (closing) return;
    closing = true;
    logger.log(`${reason}: finishing work in flight`);
    const deadline = setTimeout(() => {
      logger.error(`shutdown took longer than ${deadlineMs} ms: exiting`);
      process.exit(1);
    }, deadlineMs).unref();
    app.close().then(
      () => {
        clearTimeout(deadline);
        // 0, unless the app said while closing that something was lost (process.exitCode).
        process.exit(process.exitCode ?? 0);
      },
      (error: unknown) => {
        clearTimeout(deadline);
        logger.error(`shutdown failed: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) {
      logger.warn(`second ${signal} while shutting down: exiting now`);
      process.exit(1);
    }
    shutdown(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return shutdown;
}

/**
 * The end of a failed start-up: one line naming the dependency, the cause and the fix (through the
 * app's logger, and a readable one on a terminal), exit 1. Nest's own buffered start-up logs are not printed.
 */
export function exitOnStartupError(
  app: string,
  logger: () => PinoRoot = () => startupLogger(app),
): (error: unknown) => never {
  return (error: unknown) => {
    const fatal = (fields: Record<string, unknown>, msg: string) => {
      logger().fatal(fields, msg);
      sayOnTerminal(`${app}: ${msg}`, fields);
    };
    if (error instanceof ConfigError) {
      // One line per bad variable: all of them are known at once, so one attempt shows them all.
      for (const issue of error.issues) fatal({ reason: issue }, 'configuration error');
    } else if (error instanceof StartupError) {
      const { dependency, reason, fix } = error;
      fatal({ dependency, reason, fix }, 'failed to start');
    } else {
      const name = error instanceof Error ? error.name : typeof error;
      fatal({ reason: `${name}: ${reasonOf(error)}` }, 'failed to start');
    }
    process.exit(1);
  };
}
