import { withClient } from '../../tools/lib/clients';
import { createDatabase, databaseOf, dropDatabase, withDatabase } from '../../tools/lib/databases';

const PREFIX = 'food_orders_e2e_';

/** Creates an empty database for one test file and returns its URL. */
export async function createTestDatabase(postgresUrl: string, runId: string, label: string): Promise<string> {
  const name = `${PREFIX}${runId}_${label}`
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 63);
  await withClient(postgresUrl, async (client) => {
    await dropDatabase(client, name);
    await createDatabase(client, name);
  });
  return withDatabase(postgresUrl, name);
}

export async function dropTestDatabase(postgresUrl: string, databaseUrl: string): Promise<void> {
  await withClient(postgresUrl, (client) => dropDatabase(client, databaseOf(databaseUrl)));
}

/** Drops whatever databases a run left behind (a test file that crashed before its afterAll). */
export async function dropRunDatabases(postgresUrl: string, runId: string): Promise<void> {
  await withClient(postgresUrl, async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE datname LIKE $1',
      [`${PREFIX}${runId}_%`],
    );
    for (const { datname } of rows) await dropDatabase(client, datname);
  });
}
