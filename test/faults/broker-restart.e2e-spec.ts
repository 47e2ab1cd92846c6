import request from 'supertest';
import { LocalKafka } from '../../tools/kafka/local-kafka';
import { RunningConsumer, RunningProducer, startConsumer, startProducer } from '../support/apps';
import { checkDelivery } from '../support/delivery-checker';
import { caughtUp, E2eContext, setUpE2e } from '../support/e2e-context';
import { eventually } from '../support/eventually';
import { countOrders } from '../support/orders';

// Only a broker the harness started itself can be stopped and started again.
const brokerDir = process.env.TEST_LOCAL_KAFKA_DIR;
const withOwnBroker = brokerDir ? it : it.skip;

describe('fault: the Kafka broker restarts mid-stream', () => {
  let ctx: E2eContext;
  let consumer: RunningConsumer;
  let producer: RunningProducer;

  beforeAll(async () => {
    ctx = await setUpE2e('broker');
    consumer = await startConsumer();
  });

  afterAll(async () => {
    await producer?.close();
    await consumer?.close();
    await ctx?.close();
  });

  withOwnBroker('producer and consumer recover on their own, and nothing is lost', async () => {
    const broker = LocalKafka.attach(brokerDir!);
    producer = await startProducer({ PRODUCER_RATE: '100', PRODUCER_DURATION_S: '30' });
    await eventually('orders to be stored', async () => (await countOrders(ctx.db)) > 200);

    await broker.stop();
    await eventually('the producer to report the broker down', async () => {
      return (await request(producer.url).get('/health/ready')).status === 503;
    });
    const down = await eventually('the consumer to report the broker down', async () => {
      const res = await request(consumer.url).get('/health/ready');
      return res.status === 503 ? (res.body as { error: Record<string, unknown> }).error : undefined;
    });
    expect(JSON.stringify(down['kafka-consumer'])).toMatch(/Kafka broker|crashed/);
    await broker.restart();

    await eventually(
      'the producer to be ready again',
      async () => (await request(producer.url).get('/health/ready')).status === 200,
      {
        timeoutMs: 90_000,
      },
    );
    await producer.finished;
    await caughtUp(ctx);
    expect((await request(consumer.url).get('/health/ready')).status).toBe(200);
    const report = await checkDelivery(ctx, 'broker-restart');
    expect(report.problems).toEqual([]);
    expect(report.deadLettered).toEqual({});
    expect(report.stored).toBe(report.produced);
  });
});
