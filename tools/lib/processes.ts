/** Process checks and stops shared by the tools and the tests. */
import { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { waitUntil } from './wait';

/**
 * Whether `pid` runs (another user's process counts). A zombie does not: it has exited and only
 * waits for its parent to collect it, holding no memory, port or file, and no signal can touch it
 * (in a container without an init process, an orphan stays one for ever).
 */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !zombie(pid);
}

function zombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false; // no /proc to ask (macOS), or gone meanwhile
  }
}

/**
 * Whether `pid` is still the server started on `dir` (its command line names it): after a crash a
 * state file may name a pid the system has since given to another process.
 */
export function serves(pid: number, dir: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir);
  } catch {
    return alive(pid) && !existsSync('/proc/self'); // no /proc to ask (macOS): trust the state file
  }
}

/**
 * Sends `signal` to `pid` and waits until the process is gone (or a zombie), killing it after
 * `graceMs`; false when it is another user's process, which this one may not stop.
 */
export async function stopProcess(pid: number, signal: NodeJS.Signals, graceMs: number): Promise<boolean> {
  try {
    process.kill(pid, signal);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'EPERM';
  }
  const gone = () => !alive(pid);
  await waitUntil(`process ${pid} to exit`, gone, { timeoutMs: graceMs, intervalMs: 100 }).catch(() => {
    if (!signalled(pid, 'SIGKILL')) return; // it exited just now
    // Only a process stuck in the kernel (a dead disk, a hung mount) outlives SIGKILL for long.
    return waitUntil(`process ${pid} to exit after SIGKILL`, gone, { timeoutMs: 10_000, intervalMs: 100 });
  });
  return true;
}

/** Sends `signal` to `pid`; false when there is no such process any more. */
function signalled(pid: number, signal: NodeJS.Signals): boolean {
  try {
    return process.kill(pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/** Sends `signal` to a child this process started and waits for it to exit, killing it after `graceMs`. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** A run's folder is named `<kind>-<time>-<pid of the run>`: whether that run has ended. */
export function runEnded(folderName: string): boolean {
  const owner = Number(/-(\d+)$/.exec(folderName)?.[1]);
  return owner > 0 && !alive(owner);
}

/**
 * Stops the server of each run folder in `runsDir` (`stop` is given the folder) and deletes the
 * folders; returns how many there were. With `onlyOrphans`, only the folders of runs that ended: a
 * run killed with kill -9 leaves its server running. `stop` returns false for a server that is not
 * ours to stop (another user's): its folder stays.
 */
export async function removeRunFolders(
  runsDir: string,
  onlyOrphans: boolean,
  stop: (folder: string) => Promise<boolean>,
): Promise<number> {
  if (!existsSync(runsDir)) return 0;
  let removed = 0;
  for (const name of readdirSync(runsDir)) {
    if (onlyOrphans && !runEnded(name)) continue;
    if (!(await stop(join(runsDir, name)))) continue;
    rmSync(join(runsDir, name), { recursive: true, force: true });
    removed += 1;
  }
  if (!onlyOrphans && readdirSync(runsDir).length === 0) rmSync(runsDir, { recursive: true, force: true });
  return removed;
}

/** Whether something accepts TCP connections at host:port (a server: PostgreSQL, a Kafka broker). */
export function answers(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host, port });
    const finish = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}
