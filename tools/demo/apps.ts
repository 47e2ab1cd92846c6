/** The demo's app processes: started from dist/, followed through their JSON log lines, and handed to the live view. */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { LocalKafkaCluster } from '../kafka/local-cluster';
import { removeRunFolders, serves, stopChild, stopProcess } from '../lib/processes';
import { waitUntil } from '../lib/wait';
import { checkInterrupted } from './interruption';
import { PipelineControls } from '@app/pipeline-view';
import { cacheDir, ROOT } from '../lib/paths';

const APPS = join(ROOT, 'dist', 'apps');
/**
 * Each app's pid, in a folder named after this run: a demo killed with kill -9 cannot stop its apps,
 * so the next run and demo:reset do (removeLeftoverApps).
 */
const RUNS_DIR = cacheDir('demo-apps');
const runDir = join(RUNS_DIR, `apps-${Date.now()}-${process.pid}`);

export interface App {
  name: string;
  kind: 'order-producer' | 'order-consumer';
  env: NodeJS.ProcessEnv;
  child: ChildProcess;
  lines: Array<Record<string, unknown>>;
  exited: Promise<number | null>;
}

export function startApp(name: string, kind: App['kind'], env: NodeJS.ProcessEnv): App {
  const child = spawn(process.execPath, [join(APPS, kind, 'main.js')], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pidFile = join(runDir, `${name}.pid`);
  mkdirSync(runDir, { recursive: true });
  writeFileSync(pidFile, String(child.pid));
  child.once('exit', () => {
    rmSync(pidFile, { force: true });
    if (readdirSync(runDir).length === 0) rmSync(runDir, { recursive: true, force: true });
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

/** Stops the apps of demo runs that were killed, and forgets them; returns how many runs there were. */
export function removeLeftoverApps(): Promise<number> {
  return removeRunFolders(RUNS_DIR, true, async (folder) => {
    for (const file of readdirSync(folder)) {
      const pid = Number(readFileSync(join(folder, file), 'utf8'));
      // Only if the pid is still one of the apps: a pid the system gave to another process is left alone.
      if (pid > 0 && serves(pid, APPS)) await stopProcess(pid, 'SIGTERM', 15_000);
    }
    return true;
  });
}

/** The apps' environment in the demo: its services, and JSON log lines on stdout for it to follow. */
export function appEnvironment(
  brokers: string,
  databaseUrl: string,
  cluster?: LocalKafkaCluster,
): NodeJS.ProcessEnv {
  return {
    ...process.env,
    KAFKA_BROKERS: brokers,
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
    LOG_FILE: '',
    // On a cluster, what production asks: three copies of every record, two in sync to acknowledge.
    ...(cluster ? { KAFKA_REPLICATION_FACTOR: String(Math.min(3, cluster.nodes.length)) } : {}),
  };
}

export const running = (app: App): boolean => app.child.exitCode === null && app.child.signalCode === null;

// An app leaves its group and exits within 10 s of SIGTERM; one that does not is killed.
export const stop = (app: App): Promise<void> => stopChild(app.child, 'SIGTERM', 15_000);

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

export function partitionsOf(app: App, owned: Map<number, number[]>): string {
  return `[${[...(owned.get(app.child.pid ?? -1) ?? [])].sort().join(',')}]`;
}

export function storedBy(app: App): number {
  return Number(last(app, 'processing')?.total_stored ?? 0);
}

/** Waits for `check`; an app of `apps` that exits meanwhile ends the wait at once, with its last line. */
export async function waitFor(
  what: string,
  check: () => unknown,
  seconds: number,
  apps: App[],
): Promise<void> {
  const done = () => {
    checkInterrupted();
    const gone = apps.find((app) => app.child.exitCode !== null);
    if (gone) {
      const line = gone.lines.at(-1) ?? {};
      const why = [line.msg, line.reason ?? line.err].filter(Boolean).join(': ');
      throw new Error(
        `${gone.name} exited with code ${gone.child.exitCode} while waiting for ${what}: ${why}`,
      );
    }
    return Boolean(check());
  };
  await waitUntil(what, done, { timeoutMs: seconds * 1000 });
}
