import { LogConfig, logConfigAlone } from '@app/config';
import { PinoLogger } from 'nestjs-pino';
import pino, { destination, Logger, stdTimeFunctions } from 'pino';

/**
 * Log lines written to stdout as they are logged. When the reader of stdout goes away (EPIPE: the
 * terminal or the process that started the app has exited) the lines are dropped, so the app still
 * shuts down on SIGTERM: pino's own asynchronous stream would retry its last line for ever at exit.
 */
function stdoutLines() {
  const stdout = destination({ dest: 1, sync: true });
  stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    stdout.write = () => true;
    stdout.flushSync = () => undefined;
  });
  return stdout;
}

/**
 * The app's one logger: one JSON object per line on stdout, or appended to LOG_FILE; pretty only
 * when LOG_FORMAT=pretty. Every line carries the app's name. Nest's logger, the injected
 * PinoLogger and the start-up lines written before the app exists all end here.
 */
export function createAppLogger(app: string, log: LogConfig): Logger {
  const options = {
    level: log.level,
    base: { app },
    timestamp: stdTimeFunctions.isoTime,
    redact: ['req.headers.authorization', 'req.headers.cookie'],
  };
  if (log.file) return pino(options, destination({ dest: log.file, sync: true, mkdir: true }));
  if (log.format === 'pretty') {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { singleLine: true } } });
  }
  return pino(options, stdoutLines());
}

/** The logger for a start-up that failed: the app's own once its logging module was built. */
export function startupLogger(app: string): Logger {
  return PinoLogger.root ?? createAppLogger(app, logConfigAlone());
}
