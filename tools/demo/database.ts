/** The demo's database: created when missing, dropped by demo:reset; one line with the fix when the server cannot be used. */
import { Client } from 'pg';
import { createDatabase, databaseOf, withDatabase } from '../lib/databases';
import { say } from '../lib/say';

/** Creates the demo's database when it does not exist yet. */
export async function ensureDatabase(databaseUrl: string): Promise<void> {
  await onServerOf(databaseUrl, async (admin, name) => {
    if (await createDatabase(admin, name)) say(`▶ created database ${name}`);
  });
}

/** Runs `work` connected to the server of `databaseUrl` (its postgres database), given the URL's database name. */
export async function onServerOf(
  databaseUrl: string,
  work: (admin: Client, name: string) => Promise<void>,
): Promise<void> {
  const url = new URL(databaseUrl);
  const name = databaseOf(databaseUrl);
  const admin = new Client({ connectionString: withDatabase(databaseUrl, 'postgres') });
  await admin.connect().catch(async (error: unknown) => {
    // pg leaves the socket open when it gives up on its side (a SASL error): it would keep the demo alive a minute.
    await admin.end().catch(() => undefined);
    const why = (error as Error).message;
    // A stock server (Debian's, Docker's) wants a password the default URL does not have.
    const fix = /password must be a (non-empty )?string/.test(why)
      ? `it wants a password: set DATABASE_URL with one (postgres://user:password@${url.host}/${name}), or EMBEDDED_POSTGRES=true for an embedded PostgreSQL`
      : process.env.DATABASE_URL
        ? 'start it or fix DATABASE_URL, or unset DATABASE_URL and the demo uses 127.0.0.1:5432 or an embedded PostgreSQL'
        : 'start it, set DATABASE_URL to a server that answers, or EMBEDDED_POSTGRES=true for an embedded PostgreSQL';
    throw new Error(`PostgreSQL at ${url.host} cannot be used (${why}): ${fix}`);
  });
  try {
    await work(admin, name);
  } finally {
    await admin.end();
  }
}
