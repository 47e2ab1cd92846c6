/** Databases created and dropped by name on a PostgreSQL server: the demo's, the bench's, postgres:start's, the tests'. */
import { Client } from 'pg';

const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** The database a URL names. */
export const databaseOf = (url: string): string => decodeURIComponent(new URL(url).pathname.slice(1));

/** `url` with its database replaced by `name`: `postgres` for the server's own, where databases are made. */
export function withDatabase(url: string, name: string): string {
  const other = new URL(url);
  other.pathname = `/${encodeURIComponent(name)}`;
  return other.toString();
}

/** Creates database `name` unless it exists; whether it did. */
export async function createDatabase(admin: Client, name: string): Promise<boolean> {
  const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (rowCount) return false;
  try {
    await admin.query(`CREATE DATABASE ${quoted(name)}`);
    return true;
  } catch (error) {
    // duplicate_database: another process made it meanwhile, which is all this wanted.
    if ((error as { code?: string }).code === '42P04') return false;
    throw error;
  }
}

/** Drops database `name` if it exists, ending its sessions first (a consumer still connected). */
export async function dropDatabase(admin: Client, name: string): Promise<void> {
  await admin.query(`DROP DATABASE IF EXISTS ${quoted(name)} WITH (FORCE)`);
}
