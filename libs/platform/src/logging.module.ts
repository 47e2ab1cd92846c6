import { LogConfig, logConfig } from '@app/config';
import { DynamicModule, Module } from '@nestjs/common';
import { IncomingMessage } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import { destination, stdTimeFunctions } from 'pino';
import { APP_NAME } from './startup';

const QUIET_PATHS = ['/health/live', '/health/ready', '/metrics'];

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

/** One JSON object per line (pino) on stdout, or in LOG_FILE; pretty only when LOG_FORMAT=pretty. Probes are not logged. */
@Module({})
export class LoggingModule {
  static forRoot(app: string): DynamicModule {
    return {
      module: LoggingModule,
      global: true,
      providers: [{ provide: APP_NAME, useValue: app }],
      exports: [APP_NAME],
      imports: [
        LoggerModule.forRootAsync({
          inject: [logConfig.KEY],
          useFactory: (log: LogConfig) => {
            const options = {
              level: log.level,
              base: { app },
              timestamp: stdTimeFunctions.isoTime,
              autoLogging: { ignore: (req: IncomingMessage) => QUIET_PATHS.includes(req.url ?? '') },
              redact: ['req.headers.authorization', 'req.headers.cookie'],
            };
            if (log.file) {
              return { pinoHttp: [options, destination({ dest: log.file, sync: true, mkdir: true })] };
            }
            return {
              pinoHttp:
                log.format === 'pretty'
                  ? { ...options, transport: { target: 'pino-pretty', options: { singleLine: true } } }
                  : [options, stdoutLines()],
            };
          },
        }),
      ],
    };
  }
}
