/** Which PostgreSQL the demo, the bench and the tests use: DATABASE_URL, the local one, or an embedded one. */
import { databaseOf } from '../lib/databases';
import { answers } from '../lib/processes';
import { LocalPostgres } from './local-postgres';

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
  return { url: server.urlFor(databaseOf(localUrl)), source: 'embedded', server };
}
