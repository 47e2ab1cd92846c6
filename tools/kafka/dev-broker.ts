import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { portIsFree } from '../lib/ports';
import { alive } from '../lib/processes';
import { LocalKafka, STATE_FILE } from './local-kafka';

/** Fails, naming the fix, when another process listens on a port a developer broker is to use. */
export async function requirePortFree(port: number, what: string): Promise<void> {
  if (!(await portIsFree(port))) {
    throw new Error(
      `port ${port} is taken by another process (another broker? docker compose's kafka?): stop it, or start ${what} elsewhere with KAFKA_LOCAL_PORT=19092`,
    );
  }
}

/**
 * kafka:start: the developer broker in `dataDir`, on `port`. Started again after kafka:stop it keeps
 * its data, cluster id and controller port; already running, it is left as it is.
 */
export async function startDevBroker(
  dataDir: string,
  port: number,
  log: (line: string) => void,
): Promise<{ brokers: string; pid: number; alreadyRunning: boolean }> {
  const previous = existsSync(join(dataDir, STATE_FILE)) ? LocalKafka.attach(dataDir) : undefined;
  const pid = previous?.pid;
  if (previous && pid && alive(pid)) return { brokers: previous.brokers, pid, alreadyRunning: true };
  await requirePortFree(port, 'this one');
  const controllerPort =
    previous && (await portIsFree(previous.controllerPort)) ? previous.controllerPort : undefined;
  const kafka = await LocalKafka.start({ port, controllerPort, dataDir, detached: true, log });
  return { brokers: kafka.brokers, pid: kafka.pid!, alreadyRunning: false };
}
