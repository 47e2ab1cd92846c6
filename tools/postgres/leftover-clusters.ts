import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { removeRunFolders, serves, stopProcess } from '../lib/processes';
import { POSTGRES_RUNS_DIR } from './local-postgres';
import { removeClusterFolder } from './server-files';

/**
 * Stops the servers of the clusters in `runsDir` (each one's postmaster.pid names it) and deletes
 * the clusters; returns how many there were. With `onlyOrphans`, only those whose run (the process
 * whose pid ends the cluster's name) is gone: a run killed with kill -9 leaves its server running.
 */
export function removeLeftoverClusters(
  runsDir = POSTGRES_RUNS_DIR,
  { onlyOrphans = false } = {},
): Promise<number> {
  return removeRunFolders(runsDir, onlyOrphans, async (runDir) => {
    const data = join(runDir, 'data');
    const pidFile = join(data, 'postmaster.pid');
    const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').split('\n')[0]) : 0;
    // The server's command line names its cluster by its real folder (perhaps in the temporary folder).
    const serving = pid > 0 && serves(pid, existsSync(data) ? realpathSync(data) : runDir);
    // Immediate shutdown: a scratch cluster about to be deleted needs no checkpoint. A server that
    // cannot be signalled is another user's: not ours to stop or delete.
    if (serving && !(await stopProcess(pid, 'SIGQUIT', 10_000))) return false;
    removeClusterFolder(runDir);
    return true;
  });
}
