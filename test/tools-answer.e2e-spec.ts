import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../tools/lib/ports';
import { E2eContext, setUpE2e } from './support/e2e-context';
import { ROOT } from '../tools/lib/paths';

interface Answer {
  code: number | null;
  seconds: number;
  lines: string[];
}

/** Runs a tool as `npm run <tool>` would, and how long it took to answer. */
function run(tool: string, args: string[], env: Record<string, string>): Promise<Answer> {
  const startedAt = Date.now();
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['-r', 'ts-node/register', join('tools', tool), ...args],
      { cwd: ROOT, env: { ...process.env, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const lines = `${stdout}${stderr}`.split('\n').filter((line) => line.trim() !== '');
        done({
          code: error ? (error.code as number | null) : 0,
          seconds: (Date.now() - startedAt) / 1000,
          lines,
        });
      },
    );
  });
}

describe('the tools answer in seconds, in one line with the fix', () => {
  let ctx: E2eContext;

  beforeAll(async () => {
    ctx = await setUpE2e('tools');
  });

  afterAll(async () => {
    await ctx?.close();
  });

  it('with no broker: send, dlq:replay and kafka -- topics --list', async () => {
    const nobody = `127.0.0.1:${await freePort()}`;
    const env = { ...ctx.env, KAFKA_BROKERS: nobody };
    const answers = await Promise.all([
      run('send.ts', ['order'], env),
      run('dlq-replay.ts', ['--dry-run'], env),
      run('kafka/cli.ts', ['tool', 'topics', '--list'], env),
    ]);
    for (const answer of answers) {
      process.stdout.write(
        `[tools] no broker: exit ${answer.code} after ${answer.seconds.toFixed(1)} s: ${answer.lines.join(' | ')}\n`,
      );
      expect(answer.code).not.toBe(0);
      expect(answer.seconds).toBeLessThan(10);
      expect(answer.lines).toEqual([expect.stringContaining(`no Kafka broker answers at ${nobody}`)]);
      expect(answer.lines[0]).toContain('npm run kafka:start');
    }
  });

  it('with a broker but no topics yet: send and dlq:replay name the missing topic and who creates it', async () => {
    // This file's topics: no app of it ever started, so they do not exist.
    const answers = await Promise.all([
      run('send.ts', ['poison'], ctx.env),
      run('dlq-replay.ts', ['--dry-run'], ctx.env),
    ]);
    const [send, replay] = answers;
    for (const answer of answers) {
      process.stdout.write(
        `[tools] no topics: exit ${answer.code} after ${answer.seconds.toFixed(1)} s: ${answer.lines.join(' | ')}\n`,
      );
      expect(answer.code).not.toBe(0);
      expect(answer.seconds).toBeLessThan(10);
      expect(answer.lines).toHaveLength(1);
      expect(answer.lines[0]).toContain('the apps create their topics when they start');
    }
    expect(send.lines[0]).toContain(`topic ${ctx.topics.orders} does not exist`);
    expect(replay.lines[0]).toContain(`topic ${ctx.topics.dlq} does not exist`);
  });
});
