/**
 * The yardstick of `npm run bench`: the least a Kafka → PostgreSQL consumer can do, written straight
 * on kafkajs and pg. Per partition batch: JSON.parse of every record and a type check of the fields
 * it inserts, one multi-row INSERT … ON CONFLICT DO NOTHING, then one commit of the last offset + 1.
 * No contract (lengths, money, totals, timestamps), no dead letters, no Nest.
 *
 *   BENCH_BROKERS, BENCH_DATABASE_URL, BENCH_TOPIC, BENCH_GROUP (set by tools/bench/bench.ts)
 */
import { Kafka, KafkaMessage, logLevel } from 'kafkajs';
import { Pool } from 'pg';

const COLUMNS = ['order_id', 'customer_id', 'items', 'total_amount', 'status', 'created_at'];

function insertStatement(messages: KafkaMessage[]): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const tuples = messages.map((message) => {
    const order = JSON.parse(message.value!.toString('utf8')) as Record<string, unknown>;
    if (!hasInsertedFields(order)) throw new Error(`offset ${message.offset} is not an order`);
    const first = values.length;
    values.push(
      order.order_id,
      order.customer_id,
      JSON.stringify(order.items),
      order.total_amount,
      order.status,
      order.created_at,
    );
    return `(${COLUMNS.map((_, i) => `$${first + i + 1}`).join(',')})`;
  });
  return {
    text: `INSERT INTO orders (${COLUMNS.join(',')}) VALUES ${tuples.join(',')} ON CONFLICT (order_id) DO NOTHING`,
    values,
  };
}

/** What a fair yardstick checks before it writes: each inserted field is there, of its column's type. */
function hasInsertedFields(order: Record<string, unknown>): boolean {
  return (
    typeof order.order_id === 'string' &&
    order.order_id.length > 0 &&
    typeof order.customer_id === 'string' &&
    order.customer_id.length > 0 &&
    Array.isArray(order.items) &&
    order.items.length > 0 &&
    typeof order.total_amount === 'number' &&
    typeof order.status === 'string' &&
    typeof order.created_at === 'string' &&
    Number.isFinite(Date.parse(order.created_at))
  );
}

async function main(): Promise<void> {
  const env = (name: string) => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set`);
    return value;
  };
  const topic = env('BENCH_TOPIC');
  const pool = new Pool({ connectionString: env('BENCH_DATABASE_URL'), max: 10 });
  const kafka = new Kafka({
    clientId: 'bench-raw',
    brokers: env('BENCH_BROKERS').split(','),
    logLevel: logLevel.NOTHING,
  });
  const consumer = kafka.consumer({ groupId: env('BENCH_GROUP') });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: 3,
    eachBatch: async (payload) => {
      const { batch } = payload;
      if (batch.messages.length === 0) return;
      const { text, values } = insertStatement(batch.messages);
      await pool.query(text, values);
      const last = batch.messages[batch.messages.length - 1].offset;
      await consumer.commitOffsets([
        { topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() },
      ]);
      payload.resolveOffset(last);
      await payload.heartbeat();
    },
  });
  const stop = () => {
    void consumer
      .disconnect()
      .then(() => pool.end())
      .then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`raw consumer failed: ${String(error)}\n`);
  process.exit(1);
});
