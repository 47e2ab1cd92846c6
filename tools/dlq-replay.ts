/**
 * npm run dlq:replay -- [options]: lists or re-publishes dead letters to the orders topic.
 *
 *   --dry-run              list what would be replayed; publish and commit nothing
 *   --reason R[,R…]        only these x-dlq-reason values (poison, invalid, conflicting-duplicate, unexpected)
 *   --partition N          only this DLQ partition
 *   --from-offset N        start at this DLQ offset (default: where the last replay stopped)
 *   --to-offset N          stop after this DLQ offset (default: the DLQ's end when the replay starts)
 *   --max-replays N        loop guard: park records already replayed N times (default 3)
 *   --group G              the replay's progress group (default <KAFKA_CONSUMER_GROUP>.dlq-replay)
 *
 * Brokers and topics come from the same environment as the apps (KAFKA_BROKERS, KAFKA_TOPIC_*).
 */
import { ConsumerConfig, consumerConfig, KafkaConfig, kafkaConfig } from '@app/config';
import { replayDeadLetters, ReplayedRecord } from '@app/dlq';
import { kafkaClientOptions } from '@app/kafka';
import { INestApplicationContext } from '@nestjs/common';
import { Kafka, logLevel } from 'kafkajs';
import { parseArgs } from 'node:util';
import { requireTopics, runCommand } from './command';

async function replay(app: INestApplicationContext): Promise<void> {
  const { values } = parseArgs({
    options: {
      'dry-run': { type: 'boolean', default: false },
      reason: { type: 'string' },
      partition: { type: 'string' },
      'from-offset': { type: 'string' },
      'to-offset': { type: 'string' },
      'max-replays': { type: 'string', default: '3' },
      group: { type: 'string' },
    },
  });
  const kafka = app.get<KafkaConfig>(kafkaConfig.KEY);
  const dryRun = values['dry-run'];
  await requireTopics(kafka, dryRun ? [kafka.topics.dlq] : [kafka.topics.dlq, kafka.topics.orders]);
  const { groupId } = app.get<ConsumerConfig>(consumerConfig.KEY);
  const client = new Kafka({ ...kafkaClientOptions(kafka, 'dlq-replay'), logLevel: logLevel.ERROR });
  const counts: Record<string, number> = {};
  process.stdout.write(
    `${'partition/offset'.padEnd(18)} ${'reason'.padEnd(22)} ${'replays'.padEnd(8)} ${'action'.padEnd(13)} order\n`,
  );
  await replayDeadLetters(
    client,
    {
      dlqTopic: kafka.topics.dlq,
      targetTopic: kafka.topics.orders,
      group: values.group ?? `${groupId}.dlq-replay`,
      reasons: values.reason?.split(',').map((r) => r.trim()),
      partition: optionalNumber('--partition', values.partition),
      fromOffset: optionalBigInt('--from-offset', values['from-offset']),
      toOffset: optionalBigInt('--to-offset', values['to-offset']),
      dryRun,
      maxReplays: optionalNumber('--max-replays', values['max-replays']) ?? 3,
    },
    (record: ReplayedRecord) => {
      counts[record.action] = (counts[record.action] ?? 0) + 1;
      process.stdout.write(
        `${`${record.partition}/${record.offset}`.padEnd(18)} ${record.reason.padEnd(22)} ${String(record.replays).padEnd(8)} ${record.action.padEnd(13)} ${record.orderId ?? '-'}\n`,
      );
    },
  );
  const summary = Object.entries(counts).map(([action, n]) => `${action} ${n}`);
  process.stdout.write(
    `${dryRun ? 'dry run: ' : ''}${summary.length ? summary.join(', ') : 'nothing to replay'}\n`,
  );
}

function optionalNumber(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new Error(`${flag} expects a non-negative integer, got "${value}"`);
  return Number(value);
}

function optionalBigInt(flag: string, value: string | undefined): bigint | undefined {
  return value === undefined ? undefined : BigInt(optionalNumber(flag, value)!);
}

runCommand('dlq:replay', [kafkaConfig, consumerConfig], replay);
