import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { alive, stopProcess } from './processes';
import { waitUntil } from './wait';

/**
 * A zombie: `sleep 0.1` whose parent (the shell, turned into `sleep 30` by exec) never collects it,
 * as in a container without an init process. Its parent is returned too, to end it.
 */
async function aZombie() {
  const parent = spawn('bash', ['-c', 'sleep 0.1 & echo $!; exec sleep 30'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const [line] = (await once(createInterface({ input: parent.stdout }), 'line')) as [string];
  const pid = Number(line);
  await waitUntil('sleep 0.1 to exit', () => !alive(pid), { timeoutMs: 5_000, intervalMs: 20 });
  return { pid, parent };
}

describe('alive and stopProcess', () => {
  it('returns for a process that exited but was never collected, which no signal can end', async () => {
    const { pid, parent } = await aZombie();
    try {
      expect(() => process.kill(pid, 0)).not.toThrow(); // signal 0 still finds it
      expect(alive(pid)).toBe(false);
      const started = Date.now();
      await expect(stopProcess(pid, 'SIGTERM', 500)).resolves.toBe(true);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('stops a running process, killing it once the grace has passed', async () => {
    // Ignores SIGTERM: only the SIGKILL after the grace ends it.
    const child = spawn('bash', ['-c', 'trap "" TERM; echo ready; while :; do sleep 0.05; done'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    await once(createInterface({ input: child.stdout }), 'line');
    const started = Date.now();
    await expect(stopProcess(child.pid!, 'SIGTERM', 300)).resolves.toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(alive(child.pid!)).toBe(false);
  });
});
