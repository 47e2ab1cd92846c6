import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { E2eContext, setUpE2e } from './support/e2e-context';
import { eventually } from './support/eventually';

interface DemoRun {
  child: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}

/** npm run demo, in a process group of its own as a terminal would start it. */
function runDemo(env: Record<string, string>): DemoRun {
  const child = spawn(process.execPath, ['-r', 'ts-node/register', join('tools', 'demo.ts')], {
    cwd: join(__dirname, '..'),
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const output: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => output.push(line));
  }
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return { child, output, exited };
}

/** Whether any process of the group `pgid` is still running. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm run demo when things go wrong', () => {
  let ctx: E2eContext;

  beforeAll(async () => {
    ctx = await setUpE2e('demo');
  });

  afterAll(async () => {
    await ctx?.close();
  });

  it('refuses bad settings at once, one line each, before starting anything', async () => {
    const demo = runDemo({ PRODUCER_RATE: '0', DEMO_DURATON_S: '3', EMBEDDED_POSTGRES: 'yes' });
    expect(await demo.exited).toBe(1);
    expect(demo.output).toEqual([
      'demo: DEMO_DURATON_S is not a demo setting (the demo reads DEMO_DURATION_S)',
      'demo: PRODUCER_RATE="0" is invalid: expected a number greater than 0 and at most 100000 (default 50 in the demo)',
      'demo: EMBEDDED_POSTGRES="yes" is invalid: expected true or false (default false)',
    ]);
  });

  it('says in one line which service is not there, and what to do', async () => {
    const noDatabase = runDemo({ ...ctx.env, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/orders' });
    expect(await noDatabase.exited).toBe(1);
    expect(noDatabase.output.at(-1)).toMatch(
      /^demo failed: PostgreSQL at 127\.0\.0\.1:1 cannot be used \(.*ECONNREFUSED.*\): start it or fix DATABASE_URL/,
    );

    const noBroker = runDemo({ ...ctx.env, KAFKA_BROKERS: '127.0.0.1:1' });
    expect(await noBroker.exited).toBe(1);
    expect(noBroker.output.at(-1)).toMatch(
      /^demo failed: no Kafka broker answers at KAFKA_BROKERS=127\.0\.0\.1:1 \(.*\): start one \(npm run kafka:start\)/,
    );
  });

  it('Ctrl-C stops every process it started, says how far it got and exits 130', async () => {
    const demo = runDemo({ ...ctx.env, DEMO_DURATION_S: '60' });
    await eventually('the demo to produce', () => demo.output.some((line) => /^produced [1-9]/.test(line)), {
      timeoutMs: 120_000,
    });
    // What a terminal does on Ctrl-C: SIGINT to every process of the foreground group.
    process.kill(-demo.child.pid!, 'SIGINT');

    expect(await demo.exited).toBe(130);
    expect(demo.output).toContain(
      '▶ Ctrl-C: stopping the apps, the broker and the database the demo started',
    );
    expect(demo.output.at(-1)).toMatch(/^ {2}so far: produced \d+, stored \d+$/);
    await eventually('the demo’s apps to be gone', () => !groupAlive(demo.child.pid!), { timeoutMs: 15_000 });
  });
});
