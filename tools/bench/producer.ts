/** `npm run bench -- --producer`: the order-producer and a raw kafkajs producer fill fresh topics. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { topicSpecs } from '@app/kafka';
import { withAdmin } from '../lib/clients';
import { APP_NODE_OPTIONS, Services, started } from './bench-env';
import { ROOT } from '../lib/paths';
import { say } from '../lib/say';
import { cpuSeconds, fmt, median, peakRss, table } from './measure';

type ProducerContender = 'raw kafkajs producer' | 'order-producer';

interface ProducerMeasured {
  round: number;
  contender: ProducerContender;
  ordersPerSecond: number;
  wallSeconds: number;
  cpuPerThousand: number;
  peakRssMiB: number;
}

export async function producerThroughput(services: Services, orders: number, rounds: number): Promise<void> {
  const results: ProducerMeasured[] = [];
  for (let round = 1; round <= rounds; round += 1) {
    for (const contender of ['raw kafkajs producer', 'order-producer'] as const) {
      say(`▶ round ${round}: ${contender}`);
      const result = await produceInto(services, orders, contender, round);
      say(
        `  ${fmt(result.ordersPerSecond)} orders/s, ${result.wallSeconds.toFixed(2)} s start to exit, ` +
          `${result.cpuPerThousand.toFixed(3)} CPU s per 1,000, peak RSS ${result.peakRssMiB} MiB`,
      );
      results.push(result);
    }
  }
  say(`\n${fmt(orders)} orders, 3 partitions; orders/s from the first record's timestamp to the last`);
  table(
    [
      'round',
      'contender',
      'orders/s',
      'start → exit s',
      'orders/s start → exit',
      'CPU s / 1,000',
      'peak RSS MiB',
    ],
    results.map((r) => [
      String(r.round),
      r.contender,
      fmt(r.ordersPerSecond),
      r.wallSeconds.toFixed(2),
      fmt(orders / r.wallSeconds),
      r.cpuPerThousand.toFixed(3),
      String(r.peakRssMiB),
    ]),
  );
  const of = (contender: ProducerContender) => results.filter((r) => r.contender === contender);
  const ratios = of('order-producer').map(
    (p, i) => p.ordersPerSecond / of('raw kafkajs producer')[i].ordersPerSecond,
  );
  say();
  say(
    `medians: raw ${fmt(median(of('raw kafkajs producer').map((r) => r.ordersPerSecond)))} orders/s, order-producer ${fmt(median(of('order-producer').map((r) => r.ordersPerSecond)))} orders/s`,
  );
  say(
    `ratio order-producer / raw per round: ${ratios.map((r) => r.toFixed(2)).join(', ')}; median ${median(ratios).toFixed(2)}`,
  );
}

/** One contender sends `orders` into a topic of its own; the topic's record timestamps give the rate. */
async function produceInto(
  services: Services,
  orders: number,
  contender: ProducerContender,
  round: number,
): Promise<ProducerMeasured> {
  const name = contender === 'order-producer' ? 'producer' : 'raw';
  const topic = `bench-${services.runId}-${name}-${round}.orders`;
  const dlq = `${topic}.dlq`;
  // Both topics as the apps provision them (max.message.bytes included).
  const [ordersTopic] = topicSpecs({
    brokers: [services.brokers],
    topics: { orders: topic, dlq },
    ordersPartitions: 3,
    dlqPartitions: 1,
    replicationFactor: 1,
    minInsyncReplicas: 1,
  });
  // A fresh admin each time: kafkajs's admin keeps refreshing the metadata of topics it once touched, deleted ones too.
  await withAdmin(services.kafka, (admin) =>
    admin.createTopics({ topics: [ordersTopic], waitForLeaders: true }),
  );
  const startedAt = performance.now();
  const child = started(
    contender === 'order-producer'
      ? spawn(process.execPath, [join('dist', 'apps', 'order-producer', 'main.js')], {
          cwd: ROOT,
          env: {
            PATH: process.env.PATH,
            NODE_OPTIONS: APP_NODE_OPTIONS,
            KAFKA_BROKERS: services.brokers,
            KAFKA_TOPIC_ORDERS: topic,
            KAFKA_TOPIC_DLQ: dlq,
            PRODUCER_RATE: '100000',
            PRODUCER_MAX_ORDERS: String(orders),
            HTTP_PORT: '0',
            LOG_LEVEL: 'warn',
          },
          stdio: ['ignore', 'ignore', 'inherit'],
        })
      : spawn(process.execPath, ['-r', 'ts-node/register', join('tools', 'bench', 'raw-producer.ts')], {
          cwd: ROOT,
          env: {
            PATH: process.env.PATH,
            // The same Node memory settings for both: the producer's image runs with them.
            NODE_OPTIONS: APP_NODE_OPTIONS,
            TS_NODE_TRANSPILE_ONLY: 'true',
            BENCH_BROKERS: services.brokers,
            BENCH_TOPIC: topic,
            BENCH_ORDERS: String(orders),
          },
          stdio: ['ignore', 'ignore', 'inherit'],
        }),
  );
  // /proc/<pid> goes with the process: sample it until the exit.
  let cpu = 0;
  let peakRssMiB = 0;
  const sampler = setInterval(() => {
    try {
      const [cpuNow, rssNow] = [cpuSeconds(child.pid!), peakRss(child.pid!)];
      // A process on its way out may no longer report them.
      if (Number.isFinite(cpuNow) && Number.isFinite(rssNow)) [cpu, peakRssMiB] = [cpuNow, rssNow];
    } catch {
      // exited between two samples
    }
  }, 50);
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  clearInterval(sampler);
  const wallSeconds = (performance.now() - startedAt) / 1000;
  try {
    if (code !== 0) throw new Error(`${contender} exited with code ${code}`);
    const { count, first, last } = await recordTimes(services, topic);
    if (count !== orders) throw new Error(`${contender} wrote ${count} of ${orders} orders`);
    return {
      round,
      contender,
      ordersPerSecond: orders / ((last - first) / 1000),
      wallSeconds,
      cpuPerThousand: (cpu / orders) * 1000,
      peakRssMiB,
    };
  } finally {
    await withAdmin(services.kafka, (admin) => admin.deleteTopics({ topics: [topic, dlq] })).catch(
      () => undefined,
    );
  }
}

/** How many records a topic holds, and the first and last of their timestamps (ms). */
async function recordTimes(
  services: Services,
  topic: string,
): Promise<{ count: number; first: number; last: number }> {
  const total = (await withAdmin(services.kafka, (admin) => admin.fetchTopicOffsets(topic))).reduce(
    (sum, p) => sum + Number(p.high),
    0,
  );
  const consumer = services.kafka.consumer({ groupId: `bench-reader-${Date.now()}` });
  let count = 0;
  let first = Infinity;
  let last = -Infinity;
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((done) => {
      void consumer.run({
        autoCommit: false,
        eachBatch: ({ batch }) => {
          for (const message of batch.messages) {
            const at = Number(message.timestamp);
            first = Math.min(first, at);
            last = Math.max(last, at);
          }
          count += batch.messages.length;
          if (count >= total) done();
          return Promise.resolve();
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return { count, first, last };
}
