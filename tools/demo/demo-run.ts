/**
 * One run of the demo on running services: two consumers join the group, the live view opens, the
 * producer sends for a while, a live line follows offsets, lag and partitions (half-way one consumer
 * leaves; on a cluster a node is killed first), and a summary ends it.
 */
import { INestApplication } from '@nestjs/common';
import { Admin } from 'kafkajs';
import { Client } from 'pg';
import { consumerConfig, kafkaConfig } from '@app/config';
import { setTimeout } from 'node:timers/promises';
import { LocalKafkaCluster } from '../kafka/local-cluster';
import { say } from '../lib/say';
import { startView } from '@app/pipeline-view';
import { App, appEnvironment, demoControls, endpointsOf, last, startApp, stop, waitFor } from './apps';
import { LeaderFailover } from './failover';
import { checkInterrupted } from './interruption';
import { announce, printLiveLine, printSummary } from './demo-output';
import {
  demoAdmin,
  lagByPartition,
  latencyOf,
  ownedPartitions,
  storedSince,
  totalOffsets,
} from './pipeline-figures';

export interface DemoSettings {
  brokers: string;
  databaseUrl: string;
  durationS: number;
  rate: string;
  /** The local cluster the demo started (--nodes), whose nodes it may kill. */
  cluster?: LocalKafkaCluster;
  /** When the demo started (Date.now()), for the summary's wall time. */
  startedAt: number;
}

export class DemoRun {
  readonly apps: App[] = [];
  private readonly env: NodeJS.ProcessEnv;
  private readonly topics = kafkaConfig().topics;
  private readonly groupId = consumerConfig().groupId;
  private readonly db: Client;
  private readonly admin: Admin;
  private view?: INestApplication;
  private figures = { produced: 0, stored: 0, owned: new Map<number, number[]>(), lag: ['?', '?', '?'] };
  private since?: { at: Date; offsets: number; dlq: number };
  private left?: App;
  private readonly leaveAt: number;

  constructor(private readonly settings: DemoSettings) {
    const { brokers, databaseUrl, cluster } = settings;
    this.env = appEnvironment(brokers, databaseUrl, cluster);
    this.db = new Client({ connectionString: databaseUrl });
    // A server that goes away (Ctrl-C stops it too) fails the next query; the event alone must not end the demo.
    this.db.on('error', () => undefined);
    this.admin = demoAdmin(brokers);
    // Half-way (on a cluster, once the failover is over), one consumer leaves: the group rebalances.
    this.leaveAt = Math.floor((cluster ? 3 : 2) * (settings.durationS / 4));
  }

  /** What the demo got through before it was interrupted. */
  partial(): string {
    return this.since
      ? `  so far: produced ${this.figures.produced}, stored ${this.figures.stored}`
      : '  nothing produced yet';
  }

  async startConsumers(): Promise<void> {
    await this.admin.connect().catch((error: unknown) => {
      throw new Error(
        `no Kafka broker answers at KAFKA_BROKERS=${this.settings.brokers} (${(error as Error).message}): start one (npm run kafka:start), or unset KAFKA_BROKERS and the demo starts its own`,
      );
    });
    say('▶ starting two consumers (group order-processors)');
    for (const name of ['consumer-1', 'consumer-2'])
      this.apps.push(startApp(name, 'order-consumer', { ...this.env, HTTP_PORT: '0' }));
    const joined = () => this.apps.every((a) => last(a, 'joined consumer group'));
    await waitFor('both consumers to join the group', joined, 90, this.consumers());
    for (const app of this.consumers()) say(`  ${app.name}: ${endpointsOf(app)}`);
  }

  async openView(): Promise<void> {
    const { brokers, databaseUrl, cluster } = this.settings;
    // The view reads the same settings as the apps (and as `npm run view` would).
    Object.assign(process.env, { KAFKA_BROKERS: brokers, DATABASE_URL: databaseUrl });
    const controls = demoControls(this.apps, cluster);
    // VIEW_PORT (3003) when it is free, else any free port: a view left open elsewhere is no reason to fail.
    const shown = await startView(controls).catch(() => startView(controls, 0));
    this.view = shown.app;
    say(`  live view: ${shown.url}  (open it in a browser: partitions, group, DLQ, buttons)`);
  }

  async startProducer(): Promise<App> {
    await this.db.connect();
    const at = new Date();
    const [offsets, dlq] = await Promise.all(
      [this.topics.orders, this.topics.dlq].map((t) => totalOffsets(this.admin, t)),
    );
    this.since = { at, offsets, dlq };
    const { durationS, rate, cluster } = this.settings;
    say(`▶ producing for ${durationS} s at ${rate} orders/s`);
    const env = { ...this.env, HTTP_PORT: '0', PRODUCER_RATE: rate, PRODUCER_DURATION_S: String(durationS) };
    const producer = startApp('producer', 'order-producer', env);
    this.apps.push(producer);
    await waitFor('the producer to listen', () => last(producer, 'listening'), 90, [producer]);
    say(`  producer: ${endpointsOf(producer)}`);
    say('  lag = log-end offset − committed offset, per partition (what KEDA scales on)');
    if (cluster) say('  lead = the node that leads each partition (clients write to and read from it)');
    return producer;
  }

  /** The live line, once a second, until every produced order is stored; the faults on their schedule. */
  async follow(producer: App): Promise<void> {
    let producerExit: number | null | undefined;
    void producer.exited.then((code) => (producerExit = code));
    const { durationS, cluster } = this.settings;
    const deadline = Date.now() + (durationS + 120) * 1000;
    const failover =
      cluster && new LeaderFailover(cluster, this.admin, this.topics.orders, durationS, announce);
    for (let tick = 0; ; tick += 1) {
      checkInterrupted();
      const fresh = await this.refresh();
      const done = fresh && producerExit !== undefined && this.figures.stored >= this.figures.produced;
      const leaders = failover ? ` lead ${await failover.leaders()}` : '';
      printLiveLine(this.figures, this.consumers(), leaders, done ? 'done' : tick);
      if (done) break;
      if (!this.left && tick >= this.leaveAt) {
        this.left = this.consumers().at(-1)!;
        announce(`▶ ${this.left.name} leaves the group (SIGTERM): its partitions move to the others`);
        void stop(this.left);
      }
      if (failover) await failover.step(tick);
      if (Date.now() > deadline)
        throw new Error(
          `stored ${this.figures.stored} of ${this.figures.produced} orders before the deadline`,
        );
      await setTimeout(1000);
    }
    if (producerExit !== 0) throw new Error(`the producer exited with code ${producerExit}`);
    // Stopped gracefully, each consumer logs its final counts.
    await Promise.all(this.apps.map((app) => stop(app)));
    printSummary({
      ...this.figures,
      deadLettered: (await totalOffsets(this.admin, this.topics.dlq)) - this.since!.dlq,
      latency: await latencyOf(this.db, this.since!.at),
      producer,
      consumers: this.consumers(),
      left: this.left && { app: this.left, afterS: this.leaveAt },
      failover: failover || undefined,
      startedAt: this.settings.startedAt,
    });
  }

  async close(): Promise<void> {
    await this.view?.close();
    await Promise.all(this.apps.map((app) => stop(app)));
    await this.admin.disconnect().catch(() => undefined);
    await this.db.end().catch(() => undefined);
  }

  private consumers(): App[] {
    // The live view's buttons may stop a consumer and start a new process in its place.
    return this.apps.filter((app) => app.kind === 'order-consumer');
  }

  /** Reads the figures again; false when a broker did not answer (a node is down): the line keeps the last ones. */
  private async refresh(): Promise<boolean> {
    const { since, admin, groupId, figures } = this;
    figures.stored = await storedSince(this.db, since!.at);
    return Promise.all([
      totalOffsets(admin, this.topics.orders).then((end) => (figures.produced = end - since!.offsets)),
      ownedPartitions(admin, groupId, this.topics.orders).then((now) => (figures.owned = now)),
      lagByPartition(admin, groupId, this.topics.orders).then((now) => (figures.lag = now.map(String))),
    ]).then(
      () => true,
      () => false,
    );
  }
}
