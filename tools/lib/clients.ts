/** Short-lived clients for one piece of work, closed whatever happens: shared by the tools and the tests. */
import { Admin, Kafka } from 'kafkajs';
import { Client } from 'pg';

/** Runs `work` with a connected Kafka admin client of `kafka`, disconnected afterwards. */
export async function withAdmin<T>(kafka: Kafka, work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

/** Runs `work` with a PostgreSQL connection to `url`, ended afterwards. */
export async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  // Ended after a failed connect too: pg leaves the socket open when it gives up on its side (SASL).
  await client.connect().catch(async (error: unknown) => {
    await client.end().catch(() => undefined);
    throw error;
  });
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
