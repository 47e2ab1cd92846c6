/**
 * One-shot commands (send, dlq:replay) run in a Nest application context: the apps' settings (.env
 * included, every variable checked) injected as the apps get them, no HTTP, no Kafka server, no
 * logs of Nest's own. Errors end the command with one line each on stderr and exit code 1.
 */
import { appConfigModule, ConfigError } from '@app/config';
import { dropKafkajsTimerWarning } from '@app/platform';
import { DynamicModule, INestApplicationContext, Module } from '@nestjs/common';
import { ConfigFactory } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';

@Module({})
class CommandModule {
  static withSettings(settings: ConfigFactory[]): DynamicModule {
    return { module: CommandModule, imports: [appConfigModule(settings)] };
  }
}

export function runCommand(
  name: string,
  settings: ConfigFactory[],
  run: (app: INestApplicationContext) => Promise<void>,
): void {
  dropKafkajsTimerWarning();
  const main = async () => {
    const app = await NestFactory.createApplicationContext(CommandModule.withSettings(settings), {
      logger: false,
      abortOnError: false,
    });
    try {
      await run(app);
    } finally {
      await app.close();
    }
  };
  main().catch((error: unknown) => {
    const lines =
      error instanceof ConfigError
        ? error.issues.map((issue) => `configuration error: ${issue}`)
        : [error instanceof Error ? error.message : String(error)];
    for (const line of lines) process.stderr.write(`${name}: ${line}\n`);
    process.exitCode = 1;
  });
}
