/**
 * npm run bench: how fast the order-consumer (as built, dist/) drains a backlog, next to a raw
 * kafkajs eachBatch + pg consumer (tools/bench/raw-consumer.ts) on the same machine and topic.
 *
 *   npm run bench [-- --orders 200000 --rounds 3]
 *     prefills a 3-partition topic, then runs the contenders in turn, interleaved, each in a fresh
 *     consumer group and a fresh database; prints orders/s (first row → last row), consumer CPU
 *     seconds per 1,000 orders, peak RSS, the consumer/raw ratio per round and the load average.
 *     --profile also records a CPU profile of the last round's order-consumer and prints it by package.
 *     --view keeps the live view open on each contender (@app/pipeline-view, in headless chromium): what a page costs.
 *   npm run bench -- --producer [--orders 100000 --rounds 3]
 *     the order-producer (dist/, PRODUCER_RATE at its maximum, PRODUCER_MAX_ORDERS) against a raw
 *     kafkajs producer (tools/bench/raw-producer.ts: 1,000 per send, the same delivery settings), each
 *     into a fresh topic made as the apps make it; prints orders/s from the first record's timestamp to
 *     the last, start-to-exit seconds, CPU seconds per 1,000 orders and peak RSS.
 *   npm run bench -- --latency [--rates 10,1000,3000 --seconds 60]
 *     runs the producer at fixed rates against one consumer and prints p50/p95/p99/max of
 *     processed_at − created_at, read back from the rows.
 *
 * Services: KAFKA_BROKERS or a local broker (tools/kafka/local-kafka.ts); the PostgreSQL server of
 * DATABASE_URL, else 127.0.0.1:5432, else an embedded one. Databases and topics it creates are its own and dropped after.
 */
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { dropKafkajsTimerWarning } from '@app/platform';
import { LocalKafka } from '../kafka/local-kafka';
import { choosePostgres } from '../postgres/choose-postgres';
import { throughput } from './backlog';
import { withDatabase } from '../lib/databases';
import { describeMachine, ensureBuilt, Services } from './bench-env';
import { latency } from './latency';
import { say } from '../lib/say';
import { producerThroughput } from './producer';

async function main(): Promise<void> {
  dropKafkajsTimerWarning();
  const { values: args } = parseArgs({
    options: {
      orders: { type: 'string' },
      rounds: { type: 'string', default: '3' },
      latency: { type: 'boolean', default: false },
      producer: { type: 'boolean', default: false },
      rates: { type: 'string', default: '10,1000,3000' },
      seconds: { type: 'string', default: '60' },
      profile: { type: 'boolean', default: false },
      view: { type: 'boolean', default: false },
    },
  });
  ensureBuilt();
  let localKafka: LocalKafka | undefined;
  let brokers = process.env.KAFKA_BROKERS;
  if (!brokers) {
    say('▶ no KAFKA_BROKERS: starting a local Apache Kafka broker');
    localKafka = await LocalKafka.start({ log: (line) => say(`  ${line}`) });
    brokers = localKafka.brokers;
  }
  const postgres = await choosePostgres('postgres://postgres@127.0.0.1:5432/postgres', (line) =>
    say(`  ${line}`),
  );
  const kafka = new Kafka({ clientId: 'bench', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const services: Services = {
    brokers,
    adminUrl: withDatabase(postgres.url, 'postgres'),
    runId: Date.now().toString(36),
    kafka,
    admin,
  };
  try {
    describeMachine(brokers, localKafka !== undefined);
    if (args.latency) await latency(services, args.rates.split(',').map(Number), Number(args.seconds));
    else if (args.producer)
      await producerThroughput(services, Number(args.orders ?? 100_000), Number(args.rounds));
    else
      await throughput(
        services,
        Number(args.orders ?? 200_000),
        Number(args.rounds),
        args.profile,
        args.view,
      );
  } finally {
    await admin.disconnect();
    await Promise.all([localKafka?.destroy(), postgres.server?.destroy()]);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
