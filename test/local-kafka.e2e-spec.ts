import { Kafka, logLevel } from 'kafkajs';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDevBroker } from '../tools/kafka/dev-broker';
import { removeLeftoverBrokers } from '../tools/kafka/leftover-brokers';
import { LocalKafka } from '../tools/kafka/local-kafka';
import { cacheDir, ROOT } from '../tools/lib/paths';
import { freePort, portIsFree } from '../tools/lib/ports';
import { readAll, withAdmin } from './support/kafka-helpers';
import { serverOfKilledRun } from './support/killed-run';

describe('the local broker (npm run kafka:start / kafka:stop)', () => {
  let dataDir: string;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'food-orders-kafka-dev-'));
  });

  afterAll(async () => {
    await LocalKafka.attach(dataDir).stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts, stops and starts again twice, keeping its topics and records; a second start finds it running', async () => {
    const port = await freePort();
    const log = () => undefined;
    const first = await startDevBroker(dataDir, port, log);
    expect(first.alreadyRunning).toBe(false);
    const kafka = new Kafka({ clientId: 'restart', brokers: [first.brokers], logLevel: logLevel.NOTHING });
    await withAdmin(kafka, (admin) =>
      admin.createTopics({ topics: [{ topic: 'kept' }], waitForLeaders: true }),
    );
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'kept', messages: [{ value: 'before the restarts' }] });
    await producer.disconnect();

    expect(await startDevBroker(dataDir, port, log)).toEqual({ ...first, alreadyRunning: true });
    for (let restart = 1; restart <= 2; restart++) {
      await LocalKafka.attach(dataDir).stop();
      const again = await startDevBroker(dataDir, port, log);
      expect({ restart, alreadyRunning: again.alreadyRunning, brokers: again.brokers }).toEqual({
        restart,
        alreadyRunning: false,
        brokers: first.brokers,
      });
    }
    const records = await readAll(kafka, 'kept');
    expect(records.map((r) => r.value?.toString())).toEqual(['before the restarts']);

    // Kafka's own tools run against it: npm run kafka -- <tool> [options].
    const tool = (...args: string[]) =>
      execFileSync(
        process.execPath,
        ['-r', 'ts-node/register', join('tools', 'kafka', 'cli.ts'), 'tool', ...args],
        {
          cwd: ROOT,
          env: { ...process.env, KAFKA_BROKERS: first.brokers, TS_NODE_TRANSPILE_ONLY: 'true' },
          encoding: 'utf8',
        },
      );
    expect(tool('topics', '--describe', '--topic', 'kept')).toMatch(
      /Topic: kept\s+TopicId: \S+\s+PartitionCount: 1/,
    );
    expect(tool('get-offsets', '--topic', 'kept').trim()).toBe('kept:0:1');
  });

  it('refuses a port another process holds, in one line that says what to do', async () => {
    await LocalKafka.attach(dataDir).stop();
    const holder: Server = createServer();
    const port = await freePort();
    await new Promise<void>((done) => holder.listen(port, '127.0.0.1', done));
    try {
      await expect(startDevBroker(dataDir, port, () => undefined)).rejects.toThrow(
        `port ${port} is taken by another process (another broker? docker compose's kafka?): stop it, or start this one elsewhere with KAFKA_LOCAL_PORT=19092`,
      );
    } finally {
      holder.close();
    }
  });
  it('a broker whose run was killed (kill -9) is stopped and deleted by the next start, or demo:reset', async () => {
    const runsDir = cacheDir(`kafka-runs-test-${process.pid}`);
    const port = await serverOfKilledRun('LocalKafka', runsDir);
    expect(await portIsFree(port)).toBe(false); // the broker outlives the run that started it
    mkdirSync(join(runsDir, `run-2-${process.pid}`)); // a run still going: left alone

    expect(await removeLeftoverBrokers(runsDir, { onlyOrphans: true })).toBe(1);
    expect({ free: await portIsFree(port), left: readdirSync(runsDir) }).toEqual({
      free: true,
      left: [`run-2-${process.pid}`],
    });
    expect(await removeLeftoverBrokers(runsDir)).toBe(1);
    expect(existsSync(runsDir)).toBe(false);
  });
});
