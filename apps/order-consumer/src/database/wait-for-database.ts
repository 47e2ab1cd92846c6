import { DatabaseConfig } from '@app/config';
import { connectAtStartup, StartupLog } from '@app/platform';
import { Client } from 'pg';

// SQLSTATEs no wait can cure: the database does not exist; the role or its password is wrong.
const UNKNOWN_DATABASE = '3D000';
const BAD_LOGIN = new Set(['28P01', '28000']);
// pg's own words when the server asks for a password (SCRAM) and DATABASE_URL gives none: no SQLSTATE.
const NO_PASSWORD = /client password must be a (non-empty )?string/;

/**
 * Waits until the database at DATABASE_URL answers a query, for at most `waitSeconds`: under
 * compose the consumer may start before PostgreSQL accepts connections. A database that does not
 * exist or a login that is refused fails at once, naming the fix. The URL's password is never shown.
 */
export async function waitForDatabase(
  database: DatabaseConfig,
  waitSeconds: number,
  logger: StartupLog,
): Promise<void> {
  const url = new URL(database.url);
  const name = decodeURIComponent(url.pathname.slice(1));
  const where = `${url.hostname}:${url.port || 5432}/${name}`;
  await connectAtStartup(
    async () => {
      const client = new Client({ connectionString: database.url, connectionTimeoutMillis: 5_000 });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.query('SELECT 1');
      } finally {
        // Also after a failed login: pg leaves the socket open when it gives up on its side (SASL).
        await client.end().catch(() => undefined);
      }
    },
    {
      logger,
      dependency: 'database',
      where,
      waitMs: waitSeconds * 1000,
      fix: 'start PostgreSQL, or set DATABASE_URL to a server that answers (STARTUP_WAIT_S sets the wait)',
      permanent: (error) => databaseFix(error, url, name),
    },
  );
}

/** The fix for a cause no wait can cure, or undefined when waiting may help. */
export function databaseFix(error: unknown, url: URL, name: string): string | undefined {
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (code === UNKNOWN_DATABASE) {
    return `create it (createdb -h ${url.hostname} -U ${decodeURIComponent(url.username) || 'postgres'} ${name}) or name an existing database in DATABASE_URL`;
  }
  if (typeof code === 'string' && BAD_LOGIN.has(code)) return 'check the user and password in DATABASE_URL';
  if (typeof message === 'string' && NO_PASSWORD.test(message)) {
    return 'the server wants a password: put it in DATABASE_URL (postgres://user:password@host:port/database)';
  }
  return undefined;
}
