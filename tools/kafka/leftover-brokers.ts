import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { removeRunFolders, serves } from '../lib/processes';
import { KAFKA_RUNS_DIR, LocalKafka, STATE_FILE } from './local-kafka';

/**
 * Stops the brokers in `runsDir` (each one's state file names it) and deletes their folders; returns
 * how many there were. With `onlyOrphans`, only those whose run (the process whose pid ends the
 * folder's name) is gone: a run killed with kill -9 leaves its broker running.
 */
export function removeLeftoverBrokers(
  runsDir = KAFKA_RUNS_DIR,
  { onlyOrphans = false } = {},
): Promise<number> {
  return removeRunFolders(runsDir, onlyOrphans, async (runDir) => {
    // A single broker's state file is in its run folder; a cluster's, in one folder per node.
    const nodeDirs = [runDir, ...readdirSync(runDir).map((name) => join(runDir, name))].filter((dir) =>
      existsSync(join(dir, STATE_FILE)),
    );
    for (const dataDir of nodeDirs) {
      const broker = LocalKafka.attach(dataDir);
      const pid = broker.pid;
      if (pid && serves(pid, dataDir)) await broker.stop();
    }
    return true;
  });
}
