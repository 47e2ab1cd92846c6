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
import { kafkaClientOptions } from '@app/kafka';
import { INestApplicationContext } from '@nestjs/common';
import { Kafka, logLevel } from 'kafkajs';
import { requireTopics, runCommand } from './command';
import { Kind, KINDS, recordsOf } from '@app/order-generator';

const kind = process.argv[2] as Kind;
if (!KINDS.includes(kind)) {
  process.stderr.write(`usage: npm run send -- <${KINDS.join('|')}>\n`);
  process.exit(2);
}

runCommand('send', [kafkaConfig], async (app: INestApplicationContext) => {
  const kafka = app.get<KafkaConfig>(kafkaConfig.KEY);
  await requireTopics(kafka, [kafka.topics.orders]);
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
