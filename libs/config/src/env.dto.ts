import { OrderTopic } from '@app/contracts';
import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import {
  ArrayNotEmpty,
  IsIn,
  IsInt,
  IsOptional,
  IsPositive,
  IsUrl,
  isPort,
  Matches,
  MaxLength,
  Max,
  Min,
  ValidateBy,
  ValidationOptions,
} from 'class-validator';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const LOG_FORMATS = ['json', 'pretty'] as const;

/** Each rule's message is what the setting accepts: the error line reads "X=… is invalid: expected <it>". */
const expects = (accepted: string): ValidationOptions => ({ message: accepted });

/** A number written in plain decimal digits becomes a number; anything else ("ten", 0x10, 1e3) stays text and fails. */
const asNumber = (digits: RegExp) =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && digits.test(value) ? Number(value) : value,
  );

function IntegerSetting(min: number, max: number) {
  const accepted = expects(`an integer from ${min} to ${max}`);
  return applyDecorators(asNumber(/^-?\d+$/), IsInt(accepted), Min(min, accepted), Max(max, accepted));
}

/** min.insync.replicas: at least 1, at most the replication factor (more could never be in sync). */
function MinInsyncReplicasSetting() {
  const accepted = expects('an integer from 1 to KAFKA_REPLICATION_FACTOR');
  return applyDecorators(
    asNumber(/^-?\d+$/),
    IsOptional(),
    IsInt(accepted),
    ValidateBy(
      {
        name: 'atMostReplicationFactor',
        validator: {
          validate: (value: unknown, args) =>
            typeof value === 'number' &&
            value >= 1 &&
            value <= (args?.object as EnvDto).KAFKA_REPLICATION_FACTOR,
        },
      },
      accepted,
    ),
  );
}

function PositiveNumberSetting(max: number) {
  const accepted = expects(`a number greater than 0 and at most ${max}`);
  return applyDecorators(asNumber(/^\d+(\.\d+)?$/), IsPositive(accepted), Max(max, accepted));
}

function PortSetting() {
  const accepted = expects('a TCP port from 0 to 65535, 0 meaning any free port');
  return applyDecorators(asNumber(/^\d+$/), IsInt(accepted), Min(0, accepted), Max(65_535, accepted));
}

function TopicSetting() {
  return Matches(
    /^[a-zA-Z0-9._-]{1,249}$/,
    expects('a Kafka topic name of 1-249 characters from [a-zA-Z0-9._-]'),
  );
}

/** host:port, comma-separated. */
function BrokersSetting() {
  const accepted = expects('a comma-separated list of host:port (e.g. localhost:9092)');
  return applyDecorators(
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string'
        ? value
            .split(',')
            .map((broker) => broker.trim())
            .filter(Boolean)
        : value,
    ),
    ArrayNotEmpty(accepted),
    ValidateBy(
      {
        name: 'isBroker',
        validator: {
          validate: (broker: unknown) => {
            const [, host, port] = /^([^\s:/]+):(\d+)$/.exec(String(broker)) ?? [];
            return host !== undefined && isPort(port);
          },
        },
      },
      { ...accepted, each: true },
    ),
  );
}

function PostgresUrlSetting() {
  const accepted = expects('postgres://user:password@host:port/database');
  return applyDecorators(
    IsUrl(
      {
        protocols: ['postgres', 'postgresql'],
        require_protocol: true,
        require_tld: false,
        allow_underscores: true,
      },
      accepted,
    ),
    Matches(/^[a-z]+:\/\/[^/]+\/[^/?#]+/, accepted), // a database name after the host
  );
}

/**
 * Every environment variable the product reads, with its default and what it accepts (class-validator
 * rules, class-transformer conversions). Values arrive as text: empty ones count as unset.
 * Read through readEnv(), the only place in the project that touches process.env.
 */
export class EnvDto {
  @BrokersSetting()
  KAFKA_BROKERS: string[] = ['localhost:9092'];

  @TopicSetting()
  KAFKA_TOPIC_ORDERS: string = OrderTopic.Orders;

  @TopicSetting()
  KAFKA_TOPIC_DLQ: string = OrderTopic.DeadLetter;

  @IntegerSetting(1, 1_000)
  KAFKA_TOPIC_PARTITIONS = 3;

  @IntegerSetting(1, 1_000)
  KAFKA_TOPIC_DLQ_PARTITIONS = 1;

  @IntegerSetting(1, 10)
  KAFKA_REPLICATION_FACTOR = 1;

  // Unset: 2 with 3 or more replicas (one broker may be down and writes go on), else 1.
  @MinInsyncReplicasSetting()
  KAFKA_MIN_INSYNC_REPLICAS: number | undefined = undefined;

  @MaxLength(255, expects('a consumer group id of at most 255 characters'))
  KAFKA_CONSUMER_GROUP = 'order-processors';

  @IntegerSetting(1, 1_000)
  CONSUMER_CONCURRENCY = 3;

  // Records of one handler call, all inserted by one statement. The batch travels as one JSON
  // parameter, so no bind-parameter limit applies; 1,000 measured fastest (docs/performance.md), and
  // the ceiling keeps one statement well inside statement_timeout.
  @IntegerSetting(1, 10_000)
  CONSUMER_BATCH_MAX = 1_000;

  @PostgresUrlSetting()
  DATABASE_URL = 'postgres://postgres:postgres@localhost:5432/orders';

  @IntegerSetting(1, 500)
  DB_POOL_SIZE = 10;

  /** Each app has its own default (producer 3001, consumer 3002). */
  @IsOptional()
  @PortSetting()
  HTTP_PORT?: number = undefined;

  @IsIn(LOG_LEVELS, expects(`one of ${LOG_LEVELS.join(', ')}`))
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

  @IsIn(LOG_FORMATS, expects(`one of ${LOG_FORMATS.join(', ')}`))
  LOG_FORMAT: (typeof LOG_FORMATS)[number] = 'json';

  /** Log lines go to this file (JSON, appended) instead of stdout: the test suite keeps the apps' logs there. */
  @IsOptional()
  @Matches(/^[^\0]+$/, expects('a file path'))
  LOG_FILE?: string = undefined;

  @PositiveNumberSetting(100_000)
  PRODUCER_RATE = 10;

  @IntegerSetting(0, Number.MAX_SAFE_INTEGER)
  PRODUCER_MAX_ORDERS = 0;

  @IntegerSetting(0, 31_536_000)
  PRODUCER_DURATION_S = 0;

  @IntegerSetting(0, 2 ** 31 - 1)
  MOCK_SEED = 42;

  /** The live view's HTTP port (npm run view; npm run demo picks a free one). */
  @PortSetting()
  VIEW_PORT = 3003;

  /** The apps whose readiness and figures the live view shows, by name: name=base URL, comma-separated. */
  @Matches(
    /^[a-z][a-z0-9-]*=https?:\/\/[^\s,=]+(,[a-z][a-z0-9-]*=https?:\/\/[^\s,=]+)*$/,
    expects('a comma-separated list of name=http://host:port (e.g. producer=http://127.0.0.1:3001)'),
  )
  VIEW_APPS = 'producer=http://127.0.0.1:3001,consumer=http://127.0.0.1:3002';

  // How long an app waits at start-up for a dependency that refuses or does not answer (still
  // starting, e.g. under compose) before it gives up with one line naming it.
  @IntegerSetting(0, 3_600)
  STARTUP_WAIT_S = 60;
}

/** Settings whose value is never echoed in an error line: it may carry a password. */
export const SECRET_SETTINGS: ReadonlySet<keyof EnvDto> = new Set(['DATABASE_URL']);
