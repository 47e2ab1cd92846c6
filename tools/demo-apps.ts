/** The demo's app processes: started from dist/, followed through their JSON log lines, and handed to the live view. */
import { ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { LocalKafkaCluster } from './kafka/local-cluster';
import { PipelineControls } from './view/pipeline-controls';

const ROOT = resolve(__dirname, '..');

export interface App {
  name: string;
  kind: 'order-producer' | 'order-consumer';
  env: NodeJS.ProcessEnv;
  child: ChildProcess;
  lines: Array<Record<string, unknown>>;
  exited: Promise<number | null>;
}

export function startApp(name: string, kind: App['kind'], env: NodeJS.ProcessEnv): App {
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'apps', kind, 'main.js')], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Array<Record<string, unknown>> = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      lines.push({ msg: line });
    }
  });
  createInterface({ input: child.stderr }).on('line', (line) => process.stderr.write(`[${name}] ${line}\n`));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return { name, kind, env, child, lines, exited };
}

export const running = (app: App): boolean => app.child.exitCode === null && app.child.signalCode === null;

export async function stop(app: App): Promise<void> {
  if (!running(app)) return;
  app.child.kill('SIGTERM');
  await app.exited;
}

export function last(app: App, msg: string): Record<string, unknown> | undefined {
  return [...app.lines].reverse().find((line) => line.msg === msg);
}

/** The app's base URL once it listens (the demo starts every app with HTTP_PORT=0). */
export function urlOf(app: App): string | undefined {
  const port = Number(last(app, 'listening')?.port);
  return Number.isInteger(port) && port > 0 ? `http://127.0.0.1:${port}` : undefined;
}

export function endpointsOf(app: App): string {
  return `${urlOf(app) ?? '(not listening)'} (/health/ready, /metrics)`;
}

/**
 * The demo's processes as the live view's buttons control them: a consumer is stopped with SIGTERM
 * (it leaves the group at once) and started again with its first environment; on a local cluster
 * a node is killed (kill -9) and started again. `apps` is every process the demo will stop at the end.
 */
export function demoControls(apps: App[], cluster?: LocalKafkaCluster): PipelineControls {
  const consumer = (name: string) => {
    const app = apps.find((a) => a.name === name && a.kind === 'order-consumer');
    if (!app) throw new Error(`no consumer ${name}`);
    return app;
  };
  const down = new Set<number>();
  return {
    consumers: () =>
      apps
        .filter((app) => app.kind === 'order-consumer')
        .map((app) => ({ name: app.name, running: running(app), pid: app.child.pid })),
    stopConsumer: (name) => stop(consumer(name)),
    startConsumer: (name) => {
      const app = consumer(name);
      if (!running(app)) apps[apps.indexOf(app)] = startApp(name, app.kind, app.env);
      return Promise.resolve();
    },
    brokers: () => (cluster?.nodes ?? []).map((_, i) => ({ node: i + 1, running: !down.has(i + 1) })),
    stopBroker: async (node) => {
      down.add(node);
      await cluster!.node(node).kill();
    },
    startBroker: async (node) => {
      await cluster!.node(node).restart();
      down.delete(node);
    },
    apps: () =>
      apps.flatMap((app) => {
        const url = urlOf(app);
        return url ? [{ name: app.name, url, running: running(app) }] : [];
      }),
  };
}
