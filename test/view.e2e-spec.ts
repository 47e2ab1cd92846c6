import { INestApplication } from '@nestjs/common';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';
import { App, demoControls, last, running, startApp, stop } from '../tools/demo/apps';
import { LocalKafka } from '../tools/kafka/local-kafka';
import { cacheDir } from '../tools/lib/paths';
import { startView } from '@app/pipeline-view';
import { caughtUp, E2eContext, setUpE2e } from './support/e2e-context';
import { eventually } from './support/eventually';
import { withAdmin } from './support/kafka-helpers';
import { countOrders } from './support/orders';
import { proxyToDatabase, TcpProxy, viaProxy } from './support/tcp-proxy';

/** Where the test leaves what the page looked like; docs/images holds copies of a run's. */
const SCREENSHOTS = process.env.VIEW_SCREENSHOTS_DIR ?? cacheDir('view-screenshots');
// Only a broker the harness started itself can be stopped and started again.
const brokerDir = process.env.TEST_LOCAL_KAFKA_DIR;

interface Lane {
  partition: number;
  logEnd: number;
  committed: number | null;
  owner: string;
}

describe('live view: the running pipeline in a browser', () => {
  let ctx: E2eContext;
  let database: TcpProxy;
  const apps: App[] = [];
  let view: INestApplication;
  let url: string;
  let browser: Browser;
  let page: Page;

  /** The lanes as the page shows them (the figures it renders are also in data attributes). */
  const lanes = (): Promise<Lane[]> =>
    page.$$eval('[data-lane]', (nodes: Array<{ getAttribute(name: string): string | null }>) =>
      nodes.map((node) => {
        const committed = node.getAttribute('data-committed');
        return {
          partition: Number(node.getAttribute('data-lane')),
          logEnd: Number(node.getAttribute('data-log-end')),
          committed: committed ? Number(committed) : null,
          owner: node.getAttribute('data-owner') ?? '',
        };
      }),
    );
  /** What the page says is missing ('' while nothing is). */
  const missing = (): Promise<string> =>
    page.$eval('[data-missing]', (node: { hidden: boolean; textContent: string | null }) =>
      node.hidden ? '' : (node.textContent ?? ''),
    );
  const shoot = (name: string) =>
    page.screenshot({ path: join(SCREENSHOTS, `live-view-${name}.png`), fullPage: true });

  beforeAll(async () => {
    ctx = await setUpE2e('view');
    mkdirSync(SCREENSHOTS, { recursive: true });
    const env = { ...process.env, ...ctx.env, LOG_LEVEL: 'info', LOG_FILE: '', HTTP_PORT: '0' };
    apps.push(startApp('consumer-1', 'order-consumer', env), startApp('consumer-2', 'order-consumer', env));
    await eventually(
      'both consumers to join the group',
      () => apps.every((a) => last(a, 'joined consumer group')),
      {
        timeoutMs: 90_000,
      },
    );
    apps.push(
      startApp('producer', 'order-producer', { ...env, PRODUCER_RATE: '40', PRODUCER_MAX_ORDERS: '400' }),
    );
    // The view reaches PostgreSQL through a proxy the test can cut; the apps do not.
    database = await proxyToDatabase(ctx.databaseUrl);
    process.env.DATABASE_URL = viaProxy(ctx.databaseUrl, database);
    ({ app: view, url } = await startView(demoControls(apps), 0));
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-background-networking'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
    await page.goto(url);
  });

  afterAll(async () => {
    await browser?.close();
    await view?.close();
    await Promise.all(apps.map((app) => stop(app)));
    await database?.close();
    await ctx?.close();
  });

  it('shows three partition lanes whose offsets grow while the producer runs', async () => {
    const first = await eventually('three lanes with offsets', async () => {
      const now = await lanes();
      return now.length === 3 && now;
    });
    await eventually('the log-end offsets to grow', async () => {
      const now = await lanes();
      return now.reduce((sum, l) => sum + l.logEnd, 0) > first.reduce((sum, l) => sum + l.logEnd, 0);
    });
    await eventually(
      'both consumers on the lanes',
      async () => new Set((await lanes()).map((l) => l.owner)).size === 2,
    );
    await shoot('normal-flow');
  });

  it('shows what the broker and the database say: offsets from the admin client, rows from a count', async () => {
    await eventually('the producer to finish', () => apps[2].child.exitCode === 0, { timeoutMs: 60_000 });
    await caughtUp(ctx);
    const [ends, [committed]] = await withAdmin(ctx.kafka, (admin) =>
      Promise.all([
        admin.fetchTopicOffsets(ctx.topics.orders),
        admin.fetchOffsets({ groupId: ctx.group, topics: [ctx.topics.orders] }),
      ]),
    );
    const rows = await countOrders(ctx.db);
    const broker = ends
      .map((end) => ({
        partition: end.partition,
        logEnd: Number(end.high),
        committed: Number(committed.partitions.find((p) => p.partition === end.partition)!.offset),
      }))
      .sort((a, b) => a.partition - b.partition);
    const shown = await eventually(
      'the page to show the broker’s offsets and the table’s count',
      async () => {
        const now = (await lanes()).map(({ partition, logEnd, committed }) => ({
          partition,
          logEnd,
          committed,
        }));
        const pageRows = Number(await page.getAttribute('[data-rows]', 'data-rows'));
        return JSON.stringify(now) === JSON.stringify(broker) && pageRows === rows && { now, pageRows };
      },
    );
    process.stdout.write(
      `[view] page = broker ${JSON.stringify(shown.now)}, rows ${shown.pageRows} = count(*) ${rows}\n`,
    );
    expect(rows).toBe(400);
  });

  it('sends a poison record from its button and lists it in the DLQ with reason poison', async () => {
    await page.click('[data-send="poison"]');
    await page.waitForSelector('[data-said]:has-text("sent poison")');
    const row = await eventually('the poison record in the DLQ list', async () => {
      const found = await page.$('[data-dlq-reason="poison"]');
      return found ? found.textContent() : undefined;
    });
    expect(row).toContain(ctx.topics.orders);
    expect(await page.textContent('[data-timeline]')).toMatch(/dead letter: poison/);
    await shoot('poison-in-dlq');
  });

  it('stops a consumer from its button and shows its partitions move to the other within the session timeout', async () => {
    const before = await lanes();
    expect(before.some((l) => l.owner === 'consumer-2')).toBe(true);
    // What another site's page could send without asking (a form post) does nothing.
    const forged = await fetch(`${url}/actions/consumers/consumer-2`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'run=false',
    });
    expect(forged.status).toBe(415);
    expect(apps.filter((a) => a.kind === 'order-consumer').every(running)).toBe(true);
    const stoppedAt = Date.now();
    await page.click('[data-consumer="consumer-2"]');
    await eventually(
      'every partition owned by consumer-1',
      async () => (await lanes()).every((l) => l.owner === 'consumer-1'),
      { timeoutMs: 30_000 },
    );
    const seconds = (Date.now() - stoppedAt) / 1000;
    process.stdout.write(
      `[view] consumer-2 stopped: its partitions on consumer-1 after ${seconds.toFixed(1)} s\n`,
    );
    expect(await page.textContent('[data-timeline]')).toMatch(/consumer-2 left the group/);
    await shoot('rebalance');

    await page.click('[data-consumer="consumer-2"]'); // now "start consumer-2"
    await eventually(
      'consumer-2 to own partitions again',
      async () => (await lanes()).some((l) => l.owner === 'consumer-2'),
      { timeoutMs: 60_000 },
    );
  });

  it('says the database is missing while it is away, keeps working, and recovers', async () => {
    database.cut();
    const said = await eventually('the page to say PostgreSQL is missing', async () => {
      const text = await missing();
      return text.includes('PostgreSQL') && text;
    });
    expect((await lanes()).length).toBe(3); // the Kafka side still shows
    await shoot('database-missing');
    database.restore();
    await eventually('the page to recover', async () => (await missing()) === '', { timeoutMs: 30_000 });
    expect(said).toMatch(/PostgreSQL: /);
  });

  (brokerDir ? it : it.skip)(
    'says Kafka is missing while the broker is down, and recovers when it is back',
    async () => {
      const broker = LocalKafka.attach(brokerDir!);
      await broker.stop();
      try {
        await eventually(
          'the page to say Kafka is missing',
          async () => (await missing()).includes('Kafka'),
          {
            timeoutMs: 30_000,
          },
        );
        expect(await page.$$('[data-lane]')).toHaveLength(3); // the last figures stay
      } finally {
        await broker.restart();
      }
      await eventually('the page to recover', async () => (await missing()) === '', { timeoutMs: 60_000 });
      await page.click('[data-send="order"]');
      await eventually(
        'the view’s own producer to send again',
        async () => (await page.textContent('[data-said]'))?.includes('sent order'),
        { timeoutMs: 30_000 },
      );
    },
  );
});
