import { dropRunDatabases } from './test-database';

export default async function globalTeardown(): Promise<void> {
  const runId = process.env.TEST_RUN_ID;
  const postgresUrl = process.env.TEST_POSTGRES_URL;
  if (runId && postgresUrl) await dropRunDatabases(postgresUrl, runId);
  await globalThis.__foodOrdersServices?.stop();
}
