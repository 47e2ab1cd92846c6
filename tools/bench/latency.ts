/** `npm run bench -- --latency`: one consumer behind the producer at fixed rates; percentiles from the rows. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import {
  createTopic,
  dropDatabaseOf,
  freshDatabase,
  rowCount,
  Services,
  startConsumer,
  started,
  stop,
} from './bench-env';
import { ROOT } from '../lib/paths';
import { say } from '../lib/say';
import { waitUntil } from '../lib/wait';
import { fmt, peakRss, table } from './measure';

export async function latency(services: Services, rates: number[], seconds: number): Promise<void> {
  const rows: string[][] = [];
  for (const [run, rate] of rates.entries()) {
    const topic = `bench-${services.runId}-latency-${run}-${rate}.orders`;
    await createTopic(services.admin, topic);
    const databaseUrl = await freshDatabase(services, `latency_${run}_${rate}`);
    const group = `bench-${services.runId}-latency-${run}-${rate}`;
    say(`▶ ${rate} orders/s for ${seconds} s`);
    const consumer = startConsumer(services, databaseUrl, topic, group);
    const db = new Client({ connectionString: databaseUrl });
    try {
      const joined = async () => {
        const [description] = (await services.admin.describeGroups([group])).groups;
        return description.state === 'Stable' && description.members.length === 1;
      };
      await waitUntil('the consumer to join its group', joined, { timeoutMs: 60_000 });
      const producer = started(
        spawn(process.execPath, [join('dist', 'apps', 'order-producer', 'main.js')], {
          cwd: ROOT,
          env: {
            PATH: process.env.PATH,
            KAFKA_BROKERS: services.brokers,
            KAFKA_TOPIC_ORDERS: topic,
            KAFKA_TOPIC_DLQ: `${topic}.dlq`,
            PRODUCER_RATE: String(rate),
            PRODUCER_DURATION_S: String(seconds),
            HTTP_PORT: '0',
            LOG_LEVEL: 'warn',
          },
          stdio: ['ignore', 'ignore', 'inherit'],
        }),
      );
      const code = await new Promise<number | null>((done) => producer.once('exit', done));
      if (code !== 0) throw new Error(`the producer exited with code ${code}`);
      const produced = (await services.admin.fetchTopicOffsets(topic)).reduce(
        (sum, p) => sum + Number(p.high),
        0,
      );
      await db.connect();
      await waitUntil(
        `the consumer to store ${produced} orders`,
        async () => (await rowCount(db)) >= produced,
        {
          timeoutMs: 120_000,
        },
      );
      const [stats] = (
        await db.query<Record<string, number>>(`
          WITH t AS (SELECT created_at, (extract(epoch FROM processed_at - created_at) * 1000)::float8 AS ms FROM orders),
               tail AS (SELECT ms FROM t WHERE created_at >= (SELECT max(created_at) - interval '10 seconds' FROM t))
          SELECT count(*)::int AS n,
                 percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50,
                 percentile_cont(0.95) WITHIN GROUP (ORDER BY ms) AS p95,
                 percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99,
                 max(ms) AS max,
                 (SELECT percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) FROM tail) AS tail_p99
            FROM t`)
      ).rows;
      const ms = (value: number) => value.toFixed(1);
      rows.push([
        String(rate),
        String(seconds),
        fmt(stats.n),
        ms(stats.p50),
        ms(stats.p95),
        ms(stats.p99),
        ms(stats.max),
        ms(stats.tail_p99),
        String(peakRss(consumer.pid!)),
      ]);
    } finally {
      await db.end().catch(() => undefined);
      await stop(consumer);
      await dropDatabaseOf(services, databaseUrl);
      await services.admin.deleteTopics({ topics: [topic, `${topic}.dlq`] }).catch(() => undefined);
    }
  }
  say('\ncreated_at → row latency (ms), one order-consumer (dist/, image NODE_OPTIONS)');
  table(['rate/s', 'seconds', 'orders', 'p50', 'p95', 'p99', 'max', 'p99 last 10 s', 'peak RSS MiB'], rows);
}
