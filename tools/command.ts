/**
 * One-shot commands (send, dlq:replay) run in a Nest application context: the apps' settings (.env
 * included, every variable checked) injected as the apps get them, no HTTP, no Kafka server, no
 * logs of Nest's own. Errors end the command with one line each on stderr and exit code 1.
 */
import { appConfigModule, ConfigError, KafkaConfig } from '@app/config';
import { kafkaClientOptions } from '@app/kafka';
import { dropKafkajsTimerWarning } from '@app/platform';
import { DynamicModule, INestApplicationContext, Module } from '@nestjs/common';
import { ConfigFactory } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { Kafka, logLevel } from 'kafkajs';

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
  main().catch(failCommand(name));
}

/** The end of a command that failed: one line per cause on stderr (one per bad setting), exit code 1. */
export function failCommand(name: string): (error: unknown) => void {
  return (error: unknown) => {
    const lines =
      error instanceof ConfigError
        ? error.issues.map((issue) => `configuration error: ${issue}`)
        : [error instanceof Error ? error.message : String(error)];
    for (const line of lines) process.stderr.write(`${name}: ${line}\n`);
    process.exitCode = 1;
  };
}

/**
 * A command's first contact with Kafka, answered in seconds: a broker that does not answer, or a
 * topic that does not exist yet, is one line with the fix (kafkajs would retry for most of a minute).
 */
export async function requireTopics(kafka: KafkaConfig, topics: string[]): Promise<void> {
  const admin = new Kafka({
    ...kafkaClientOptions(kafka, 'command-check'),
    logLevel: logLevel.NOTHING,
    retry: { retries: 1, initialRetryTime: 300 },
  }).admin();
  const brokers = kafka.brokers.join(',');
  await admin.connect().catch((error: Error) => {
    throw new Error(
      `no Kafka broker answers at ${brokers} (${error.message}): start one (npm run kafka:start), or set KAFKA_BROKERS`,
    );
  });
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((topic) => !existing.has(topic));
    if (missing.length > 0) {
      throw new Error(
        `topic ${missing.join(', ')} does not exist on ${brokers} yet: the apps create their topics when they start (npm run start:consumer, or the demo); check KAFKA_TOPIC_ORDERS / KAFKA_TOPIC_DLQ`,
      );
    }
  } finally {
    await admin.disconnect();
  }
}
