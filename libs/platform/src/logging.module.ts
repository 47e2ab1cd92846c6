import { LogConfig, logConfig } from '@app/config';
import { DynamicModule, Module } from '@nestjs/common';
import { IncomingMessage } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import { createAppLogger } from './app-logger';

const QUIET_PATHS = ['/health/live', '/health/ready', '/metrics'];

/** Nest's logger and the injectable PinoLogger, both writing through the app's one logger. Probes are not logged. */
@Module({})
export class LoggingModule {
  static forRoot(app: string): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: [logConfig.KEY],
          useFactory: (log: LogConfig) => ({
            pinoHttp: {
              logger: createAppLogger(app, log),
              autoLogging: { ignore: (req: IncomingMessage) => QUIET_PATHS.includes(req.url ?? '') },
            },
          }),
        }),
      ],
    };
  }
}
