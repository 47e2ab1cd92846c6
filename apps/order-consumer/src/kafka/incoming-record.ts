import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { KafkaContext } from '@nestjs/microservices';

/** One Kafka record as the handler sees it: key and headers as text, the value as the raw bytes sent. */
export interface IncomingRecord {
  topic: string;
  partition: number;
  offset: string;
  timestamp: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string | undefined>;
}

export function toIncomingRecord(context: KafkaContext): IncomingRecord {
  const message = context.getMessage();
  const headers = Object.fromEntries(
    Object.entries(message.headers ?? {}).map(([name, value]) => [
      name,
      value === undefined ? undefined : String(value),
    ]),
  );
  return {
    topic: context.getTopic(),
    partition: context.getPartition(),
    offset: message.offset,
    timestamp: message.timestamp,
    key: message.key ? message.key.toString('utf8') : null,
    value: message.value,
    headers,
  };
}

/** Injects the record behind an @EventPattern call as an IncomingRecord. */
export const KafkaRecord = createParamDecorator((_: unknown, ctx: ExecutionContext) =>
  toIncomingRecord(ctx.switchToRpc().getContext<KafkaContext>()),
);
