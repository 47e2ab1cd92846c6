import { LogConfig, logConfig } from '@app/config';
import { DynamicModule, Module } from '@nestjs/common';
import { IncomingMessage } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import { stdTimeFunctions } from 'pino';
import { APP_NAME } from './startup';

const QUIET_PATHS = ['/health/live', '/health/ready', '/metrics'];

/** One JSON object per line (pino); pretty only when LOG_FORMAT=pretty. Probes are not logged. */
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
          useFactory: (log: LogConfig) => ({
            pinoHttp: {
              level: log.level,
              base: { app },
              timestamp: stdTimeFunctions.isoTime,
              transport:
                log.format === 'pretty'
                  ? { target: 'pino-pretty', options: { singleLine: true } }
                  : undefined,
              autoLogging: { ignore: (req: IncomingMessage) => QUIET_PATHS.includes(req.url ?? '') },
              redact: ['req.headers.authorization', 'req.headers.cookie'],
            },
          }),
        }),
      ],
    };
  }
}
