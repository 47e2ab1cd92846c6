/**
 * The producer's yardstick in `npm run bench -- --producer`: the same seeded orders, keys and headers
 * sent straight with kafkajs, 1,000 per send, one send at a time, with the product's delivery
 * settings (idempotent, acks=all). No Nest, no schedule, no backlog.
 *
 *   BENCH_BROKERS, BENCH_TOPIC, BENCH_ORDERS (set by tools/bench/bench.ts)
 */
import { orderRecord } from '@app/contracts';
import { reliableProducerOptions } from '@app/kafka';
import { dropKafkajsTimerWarning } from '@app/platform';
import { Kafka, logLevel } from 'kafkajs';
import { OrderGenerator } from '@app/order-generator';

const PER_SEND = 1_000;

async function main(): Promise<void> {
  dropKafkajsTimerWarning();
  const topic = process.env.BENCH_TOPIC!;
  const orders = Number(process.env.BENCH_ORDERS);
  const kafka = new Kafka({
    clientId: 'bench-raw-producer',
    brokers: process.env.BENCH_BROKERS!.split(','),
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer(reliableProducerOptions());
  await producer.connect();
  const generator = new OrderGenerator(42);
  for (let sent = 0; sent < orders; sent += PER_SEND) {
    const messages = Array.from({ length: Math.min(PER_SEND, orders - sent) }, () =>
      orderRecord(generator.next()),
    );
    await producer.send({ topic, acks: -1, messages });
  }
  await producer.disconnect();
}

main().catch((error: unknown) => {
  process.stderr.write(`raw producer failed: ${String(error)}\n`);
  process.exit(1);
});
