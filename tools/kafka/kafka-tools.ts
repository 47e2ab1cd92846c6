/** Kafka's own command-line tools, run from the broker's jars (npm run kafka -- <tool>). */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { answers } from '../lib/processes';
import { JAVA_MISSING, KAFKA_CACHE_DIR, missingProgram, resolveJars } from './jars';

/**
 * One line at once when no broker answers: Kafka's own tools would retry for a minute, warning as they go.
 */
export async function requireBroker(brokers: string): Promise<void> {
  const reachable = await Promise.all(
    brokers.split(',').map((broker) => {
      const [host, port] = broker.trim().split(':');
      return answers(host, Number(port));
    }),
  );
  if (!reachable.includes(true)) {
    throw new Error(
      `no Kafka broker answers at ${brokers}: start one (npm run kafka:start), or set KAFKA_BROKERS`,
    );
  }
}

/** Kafka's command-line tools by their script names (bin/kafka-<name>.sh in a Kafka download). */
export const KAFKA_TOOLS: Record<string, string> = {
  topics: 'org.apache.kafka.tools.TopicCommand',
  'consumer-groups': 'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand',
  'get-offsets': 'org.apache.kafka.tools.GetOffsetShell',
  'console-consumer': 'org.apache.kafka.tools.consumer.ConsoleConsumer',
  'console-producer': 'kafka.tools.ConsoleProducer',
};

/**
 * Runs one of Kafka's tools from the broker's own jars, against KAFKA_BROKERS or the local broker;
 * resolves with its exit code. Its output goes to this process's stdout and stderr.
 */
export function runKafkaTool(name: string, args: string[], brokers: string): Promise<number> {
  const main = KAFKA_TOOLS[name];
  if (!main) {
    throw new Error(`unknown tool ${JSON.stringify(name)}: one of ${Object.keys(KAFKA_TOOLS).join(', ')}`);
  }
  const libs = resolveJars(KAFKA_CACHE_DIR, (line) => process.stderr.write(`${line}\n`));
  const bootstrap = args.includes('--bootstrap-server') ? [] : ['--bootstrap-server', brokers];
  const child = spawn(
    'java',
    [
      '-Xmx256m',
      `-Dlog4j.configuration=file:${join(__dirname, 'tools-log4j.properties')}`,
      '-cp',
      `${libs}/*`,
      main,
      ...bootstrap,
      ...args,
    ],
    { stdio: 'inherit', env: { ...process.env, KAFKA_HEAP_OPTS: undefined } },
  );
  return new Promise((done, fail) => {
    child.once('error', (error) =>
      fail(new Error(missingProgram(error, 'Java', 'java', JAVA_MISSING) ?? String(error))),
    );
    child.once('exit', (code) => done(code ?? 1));
  });
}
