/**
 * A real Apache Kafka 3.9 broker without Docker: the jars come from Maven Central (resolved once
 * into .cache/kafka), and a single KRaft node (broker + controller) runs on 127.0.0.1.
 *
 *   npm run kafka:start   # 127.0.0.1:9092 unless KAFKA_LOCAL_PORT says otherwise
 *   npm run kafka:stop
 *   npm run kafka -- <tool> [options]   # Kafka's own command-line tools against it, e.g.
 *       npm run kafka -- consumer-groups --describe --group order-processors
 *
 * Its data stays in .cache/kafka-dev between a stop and the next start (the same cluster id and
 * ports), so topics, orders and committed offsets survive a restart.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startDevBroker } from './dev-broker';
import { KAFKA_TOOLS, requireBroker, runKafkaTool } from './kafka-tools';
import { LocalKafkaCluster, nodesOption, startDevCluster } from './local-cluster';
import { LocalKafka, STATE_FILE } from './local-kafka';
import { cacheDir } from '../lib/paths';

async function main(command: string | undefined): Promise<void> {
  const dataDir = cacheDir('kafka-dev');
  const clusterDir = cacheDir('kafka-dev-cluster');
  const log = (line: string) => process.stdout.write(`${line}\n`);
  if (command === 'start') {
    const port = Number(process.env.KAFKA_LOCAL_PORT ?? 9092);
    const { nodes, problem } = nodesOption(process.argv);
    if (problem) throw new Error(problem);
    const broker =
      nodes === 1
        ? await startDevBroker(dataDir, port, log)
        : await startDevCluster(clusterDir, nodes, port, log);
    if (broker.alreadyRunning) log(`local Kafka is already running on ${broker.brokers} (pid ${broker.pid})`);
    log(`KAFKA_BROKERS=${broker.brokers}`);
    process.exit(0);
  }
  if (command === 'tool') {
    const [name, ...args] = process.argv.slice(3);
    const running = existsSync(join(dataDir, STATE_FILE))
      ? LocalKafka.attach(dataDir)
      : LocalKafkaCluster.isCluster(clusterDir)
        ? LocalKafkaCluster.attach(clusterDir)
        : undefined;
    const brokers = process.env.KAFKA_BROKERS ?? running?.brokers ?? '127.0.0.1:9092';
    await requireBroker(brokers);
    process.exit(await runKafkaTool(name ?? '', args, brokers));
  }
  if (command === 'stop') {
    if (existsSync(join(dataDir, STATE_FILE))) await LocalKafka.attach(dataDir).stop();
    if (LocalKafkaCluster.isCluster(clusterDir)) await LocalKafkaCluster.attach(clusterDir).stop();
    log('local Kafka stopped (its data stays in .cache/kafka-dev, or kafka-dev-cluster)');
    return;
  }
  process.stderr.write(
    `usage: kafka/cli.ts start [--nodes 3] | stop | tool <${Object.keys(KAFKA_TOOLS).join('|')}> [options]\n`,
  );
  process.exit(2);
}

if (require.main === module) {
  main(process.argv[2]).catch((error: unknown) => {
    // One line that says what to do, not a stack trace.
    process.stderr.write(
      `kafka:${process.argv[2]}: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  });
}
