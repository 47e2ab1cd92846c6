import { INestApplication } from '@nestjs/common';
import { ChildProcess, spawn } from 'node:child_process';
import { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import type { ConsumerState } from '../../apps/order-consumer/src/kafka/consumer-state';
import type { ConsumerTelemetry } from '../../apps/order-consumer/src/kafka/consumer-telemetry';
import { eventually } from './eventually';
import { ROOT } from '../../tools/lib/paths';

export interface RunningConsumer {
  app: INestApplication;
  url: string;
  state: ConsumerState;
  stats: ConsumerTelemetry;
  close(): Promise<void>;
}

/**
 * Starts the consumer app in this process (so its code counts for coverage), with the file's
 * environment plus `overrides`, and waits until it has joined its group.
 */
export async function startConsumer(overrides: Record<string, string> = {}): Promise<RunningConsumer> {
  return withEnv(overrides, async () => {
    // Imported late, inside withEnv: ConfigModule.forRoot validates process.env when the app's
    // module is first loaded, and must see the file's environment.
    const { createOrderConsumerApp } = await import('../../apps/order-consumer/src/order-consumer.app');
    const { ConsumerState } = await import('../../apps/order-consumer/src/kafka/consumer-state');
    const { ConsumerTelemetry } = await import('../../apps/order-consumer/src/kafka/consumer-telemetry');
    const app = await createOrderConsumerApp();
    const url = await serveLocally(app);
    await app.startAllMicroservices();
    const state = app.get(ConsumerState);
    await eventually('the consumer to join its group', () => state.readiness().consumer.ready, {
      timeoutMs: 60_000,
    });
    return { app, url, state, stats: app.get(ConsumerTelemetry), close: () => app.close() };
  });
}

export interface ChildApp {
  child: ChildProcess;
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the HTTP port once the app logs that it listens. */
  httpPort(): Promise<number>;
}

const spawned = new Set<ChildProcess>();

/** Kills every app process a test file started and did not see exit (call from afterAll). */
export async function killSpawnedApps(): Promise<void> {
  await Promise.all(
    [...spawned].map(
      (child) =>
        new Promise((done) => {
          child.once('exit', done);
          child.kill('SIGKILL');
        }),
    ),
  );
}

/**
 * Runs an app's main.ts as its own process, as `nest start` would, with the file's environment;
 * `preload` modules (test support) are loaded first, e.g. to inject a fault into a client library.
 */
export function spawnApp(
  app: 'order-producer' | 'order-consumer',
  env: Record<string, string>,
  preload: string[] = [],
): ChildApp {
  const modules = ['ts-node/register', ...preload].flatMap((module) => ['-r', module]);
  // Info level: tests read the apps' progress and listening lines.
  return track(
    app,
    spawn(process.execPath, [...modules, join('apps', app, 'src', 'main.ts')], {
      cwd: ROOT,
      env: { ...process.env, ...env, LOG_LEVEL: 'info', LOG_FILE: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
}

/**
 * Runs a built app (dist/, as the Docker image does) with exactly `env` and nothing inherited but
 * PATH: proof that the environment given is all the app needs.
 */
export function spawnBuiltApp(
  app: 'order-producer' | 'order-consumer',
  env: Record<string, string>,
  args: string[] = [],
  cwd = ROOT,
): ChildApp {
  return track(
    app,
    spawn(process.execPath, [join(ROOT, 'dist', 'apps', app, 'main.js'), ...args], {
      cwd,
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
}

function track(app: string, child: ChildProcess): ChildApp {
  const output: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on('line', (line) => output.push(line));
  }
  spawned.add(child);
  child.once('exit', () => spawned.delete(child));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  return {
    child,
    output,
    exited,
    httpPort: () =>
      eventually(
        `${app} to listen`,
        () => {
          const line = output.find((l) => l.includes('"port"') && l.includes('listening'));
          return line ? (JSON.parse(line) as { port: number }).port : undefined;
        },
        { timeoutMs: 60_000 },
      ),
  };
}

export interface RunningProducer {
  app: INestApplication;
  url: string;
  /** Resolves once a bounded run (PRODUCER_MAX_ORDERS / PRODUCER_DURATION_S) has every order acknowledged. */
  finished: Promise<void>;
  close(): Promise<void>;
}

/** Starts the producer app in this process with the file's environment plus `overrides`. */
export async function startProducer(overrides: Record<string, string> = {}): Promise<RunningProducer> {
  return withEnv(overrides, async () => {
    const { createOrderProducerApp } = await import('../../apps/order-producer/src/order-producer.app');
    const { OrderSchedule } = await import('../../apps/order-producer/src/orders/order-schedule');
    const app = await createOrderProducerApp();
    const url = await serveLocally(app);
    return { app, url, finished: app.get(OrderSchedule).finished, close: () => app.close() };
  });
}

/** Runs `create` with the file's environment plus `overrides`: apps read their config while being created. */
async function withEnv<T>(overrides: Record<string, string>, create: () => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  Object.assign(process.env, overrides);
  try {
    return await create();
  } finally {
    process.env = saved;
  }
}

/** Serves the app's HTTP side on a free loopback port and returns its base URL. */
async function serveLocally(app: INestApplication): Promise<string> {
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}
