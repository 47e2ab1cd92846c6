/**
 * npm run send -- <kind>: one record into the orders topic, to watch it reach the table or the DLQ.
 *
 *   order                  a valid order from the seeded generator: a new row
 *   poison                 a value that is not JSON: dead-lettered as poison
 *   invalid                an order whose total does not add up: dead-lettered as invalid, the rule named
 *   conflicting-duplicate  a stored order's id again, with a different total: dead-lettered, the row left alone
 *
 * Brokers and topic come from the same settings as the apps (KAFKA_BROKERS, KAFKA_TOPIC_ORDERS, .env).
 * Then: psql … -c "select * from orders where order_id = '<id>'", or npm run dlq:replay -- --dry-run.
 */
import { KafkaConfig, kafkaConfig } from '@app/config';
import { orderRecord } from '@app/contracts';
import { kafkaClientOptions } from '@app/kafka';
import { INestApplicationContext } from '@nestjs/common';
import { Kafka, logLevel, Message } from 'kafkajs';
import { OrderGenerator } from '../apps/order-producer/src/orders/order-generator';
import { runCommand } from './command';

const KINDS = ['order', 'poison', 'invalid', 'conflicting-duplicate'] as const;
type Kind = (typeof KINDS)[number];

function recordsOf(kind: Kind): { messages: Message[]; says: string } {
  const order = new OrderGenerator(Date.now() % 2 ** 31).next();
  // The producer's record, with the value swapped for the kind's.
  const message = (value: string): Message => ({ ...orderRecord(order), value });
  switch (kind) {
    case 'order':
      return { messages: [message(JSON.stringify(order))], says: `order ${order.order_id}: a new row` };
    case 'poison':
      return {
        messages: [message('{"order_id": "ORD-')],
        says: 'a value that is not JSON: the DLQ, reason poison',
      };
    case 'invalid':
      return {
        messages: [message(JSON.stringify({ ...order, total_amount: order.total_amount + 1 }))],
        says: `order ${order.order_id} with a wrong total: the DLQ, reason invalid`,
      };
    case 'conflicting-duplicate':
      // The same id twice: the first is stored, the second (another status) is a conflict.
      return {
        messages: [
          message(JSON.stringify(order)),
          message(JSON.stringify({ ...order, status: 'cancelled' })),
        ],
        says: `order ${order.order_id} twice, the second cancelled: one row, one DLQ record (conflicting-duplicate)`,
      };
  }
}

const kind = process.argv[2] as Kind;
if (!KINDS.includes(kind)) {
  process.stderr.write(`usage: npm run send -- <${KINDS.join('|')}>\n`);
  process.exit(2);
}

runCommand('send', [kafkaConfig], async (app: INestApplicationContext) => {
  const kafka = app.get<KafkaConfig>(kafkaConfig.KEY);
  const { messages, says } = recordsOf(kind);
  const producer = new Kafka({ ...kafkaClientOptions(kafka, 'send'), logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  try {
    const [sent] = await producer.send({ topic: kafka.topics.orders, acks: -1, messages });
    process.stdout.write(`sent to ${kafka.topics.orders} partition ${sent.partition}: ${says}\n`);
  } finally {
    await producer.disconnect();
  }
});
