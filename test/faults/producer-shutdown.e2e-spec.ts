import request from 'supertest';
import { LocalKafka } from '../../tools/kafka/local-kafka';
import { killSpawnedApps, spawnApp } from '../support/apps';
import { E2eContext, setUpE2e } from '../support/e2e-context';
import { eventually } from '../support/eventually';

// Only a broker the harness started itself can be stopped and started again.
const brokerDir = process.env.TEST_LOCAL_KAFKA_DIR;
const withOwnBroker = brokerDir ? it : it.skip;

describe('fault: the producer gets SIGTERM while the broker is away', () => {
  let ctx: E2eContext;
  let stopped: LocalKafka | undefined;

  beforeAll(async () => {
    ctx = await setUpE2e('producer_stop');
  });

  afterAll(async () => {
    await killSpawnedApps();
    await stopped?.restart(); // whatever happened, the other test files need their broker back
    await ctx?.close();
  });

  withOwnBroker(
    'stops retrying, says what it could not deliver, and exits within 10 s with code 75',
    async () => {
      const broker = LocalKafka.attach(brokerDir!);
      const producer = spawnApp('order-producer', { ...ctx.env, PRODUCER_RATE: '50' });
      const url = `http://127.0.0.1:${await producer.httpPort()}`;
      await eventually(
        'the producer to be ready',
        async () => (await request(url).get('/health/ready')).status === 200,
      );

      await broker.stop();
      stopped = broker;
      await eventually(
        'the producer to report the broker down',
        async () => (await request(url).get('/health/ready')).status === 503,
      );
      const stoppedAt = Date.now();
      producer.child.kill('SIGTERM');
      const { code } = await producer.exited;
      const seconds = (Date.now() - stoppedAt) / 1000;
      await broker.restart();
      stopped = undefined;

      const summary = producer.output.find((line) => line.includes('could not deliver'));
      process.stdout.write(
        `[producer-shutdown] exit code ${code} after ${seconds.toFixed(1)} s: ${summary}\n`,
      );
      expect(code).toBe(75);
      expect(seconds).toBeLessThan(10);
      expect(JSON.parse(summary!)).toMatchObject({ undelivered: expect.any(Number), exit_code: 75 });
    },
  );
});
