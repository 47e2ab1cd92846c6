/**
 * A PostgreSQL for running the apps yourself, on a machine with only Node (and Java for the broker):
 *
 *   npm run postgres:start   # 127.0.0.1:5432 unless POSTGRES_LOCAL_PORT says otherwise
 *   npm run postgres:stop
 *
 * The embedded server (local-postgres.ts) outlives the command; its cluster stays in
 * .cache/postgres-dev (POSTGRES_LOCAL_DATA: another folder, for a second one) between a stop and the
 * next start, with the `orders` database the apps' default DATABASE_URL names (no password is
 * checked: it listens on 127.0.0.1 only).
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { LocalPostgres } from './local-postgres';
import { answers, serves, stopProcess } from '../lib/processes';
import { withClient } from '../lib/clients';
import { createDatabase } from '../lib/databases';
import { say } from '../lib/say';
import { cacheDir } from '../lib/paths';

const DATA_DIR = resolve(process.env.POSTGRES_LOCAL_DATA ?? cacheDir('postgres-dev'));
const DATABASE = 'orders';

/** The running server of DATA_DIR, from the pid and port its postmaster.pid names. */
function running(): { pid: number; port: number } | undefined {
  const pidFile = join(DATA_DIR, 'data', 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const [pid, , , port] = readFileSync(pidFile, 'utf8').split('\n');
  const server = { pid: Number(pid), port: Number(port) };
  return serves(server.pid, realpathSync(join(DATA_DIR, 'data'))) ? server : undefined;
}

const urlOf = (port: number) => `postgres://postgres@127.0.0.1:${port}/${DATABASE}`;

async function start(): Promise<void> {
  const already = running();
  if (already) {
    say(`the embedded PostgreSQL is already running on 127.0.0.1:${already.port} (pid ${already.pid})`);
    say(`DATABASE_URL=${urlOf(already.port)}`);
    return;
  }
  const port = Number(process.env.POSTGRES_LOCAL_PORT ?? 5432);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new Error(
      `POSTGRES_LOCAL_PORT=${JSON.stringify(process.env.POSTGRES_LOCAL_PORT)} is invalid: expected a port from 1 to 65535 (default 5432)`,
    );
  }
  if (await answers('127.0.0.1', port)) {
    throw new Error(
      `port ${port} is taken (another PostgreSQL?): use that server (DATABASE_URL), or POSTGRES_LOCAL_PORT=5433 npm run postgres:start`,
    );
  }
  const server = await LocalPostgres.start({ dataDir: DATA_DIR, port, detached: true, log: say });
  await withClient(server.urlFor(), (client) => createDatabase(client, DATABASE));
  say(`DATABASE_URL=${urlOf(port)}`);
}

async function stop(): Promise<void> {
  const server = running();
  // Fast shutdown: sessions are ended, the cluster stays consistent for the next start.
  if (server) await stopProcess(server.pid, 'SIGINT', 20_000);
  say(`the embedded PostgreSQL is stopped (its data stays in ${relative(process.cwd(), DATA_DIR)})`);
}

const command = process.argv[2];
(command === 'start'
  ? start()
  : command === 'stop'
    ? stop()
    : Promise.reject(new Error('usage: dev-server.ts start | stop'))
)
  .then(() => process.exit(0))
  .catch((error: unknown) => {
    // One line that says what to do, not a stack trace.
    process.stderr.write(`postgres:${command}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
