import { ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { alive } from '../tools/lib/processes';
import { createInterface } from 'node:readline';
import { E2eContext, setUpE2e } from './support/e2e-context';
import { eventually } from './support/eventually';
import { ROOT } from '../tools/lib/paths';

interface DemoRun {
  child: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}

/** npm run demo, in a process group of its own as a terminal would start it; `undefined` unsets a variable. */
function runDemo(env: Record<string, string | undefined>, args: string[] = []): DemoRun {
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register', join('tools', 'demo', 'main.ts'), ...args],
    {
      cwd: ROOT,
      env: Object.fromEntries(
        Object.entries({ ...process.env, TS_NODE_TRANSPILE_ONLY: 'true', ...env }).filter(
          ([, value]) => value !== undefined,
        ),
      ),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  const output: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => output.push(line));
  }
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return { child, output, exited };
}

interface ViewControls {
  consumers: Array<{ name: string }>;
  brokers: Array<{ node: number }>;
}

/** The controls listed in the first snapshot a page of the live view receives (server-sent events). */
async function firstSnapshotControls(url: string): Promise<ViewControls> {
  const abort = new AbortController();
  const res = await fetch(url, { signal: abort.signal });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    while (!/^data: .*\n/m.test(text)) text += decoder.decode((await reader.read()).value as Uint8Array);
  } finally {
    abort.abort();
  }
  return (JSON.parse(/^data: (.*)$/m.exec(text)![1]) as { controls: ViewControls }).controls;
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

/** The pids of the apps `parent` started (their command line runs dist/apps/…/main.js). */
function appsOf(parent: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        return ppid === parent && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('dist/apps/order-');
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
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

  it('--nodes 3: a cluster of its own, the leader of partition 0 killed a quarter of the way in, its successor on the live line, nothing lost', async () => {
    const demo = runDemo({ ...ctx.env, KAFKA_BROKERS: undefined, DEMO_DURATION_S: '30' }, ['--nodes', '3']);
    // Its live view answers while it runs, with buttons for the demo's own consumers and nodes.
    const view = await eventually(
      'the live view’s address',
      () => demo.output.map((line) => /^ {2}live view: (http:\S+)/.exec(line)?.[1]).find(Boolean),
      { timeoutMs: 180_000 },
    );
    expect(await (await fetch(view)).text()).toContain('live view');
    const controls = await firstSnapshotControls(`${view}/events`);
    expect(controls.consumers.map((c) => c.name)).toEqual(['consumer-1', 'consumer-2']);
    expect(controls.brokers.map((b) => b.node)).toEqual([1, 2, 3]);
    expect(await demo.exited).toBe(0);
    const killed = demo.output.find((line) => line.startsWith('▶ kill -9 node'));
    const [, node] = /^▶ kill -9 node (\d), the leader of partition 0/.exec(killed ?? '') ?? [];
    expect(node).toBeDefined();
    const [, successor] =
      demo.output.map((line) => /^▶ partition 0 is led by node (\d) now/.exec(line)).find(Boolean) ?? [];
    expect(successor).toMatch(/^[1-3]$/);
    expect(successor).not.toBe(node);
    // The live line names each partition's leader; partition 0's moves from the killed node.
    const leads = demo.output.flatMap((line) => /^produced .* lead (\S+)/.exec(line)?.[1] ?? []);
    expect(leads.some((lead) => lead.split('/')[0] === successor)).toBe(true);
    expect(demo.output).toContainEqual(expect.stringMatching(/^ {2}failover {8}partition 0 moved from node/));
    expect(demo.output).toContain('  ✔ every produced order is stored');
  });

  it('kill -9 leaves its apps running, in the group and on the topic: the next run stops them', async () => {
    const demo = runDemo({ ...ctx.env, DEMO_DURATION_S: '60' });
    await eventually('the demo to produce', () => demo.output.some((line) => /^produced [1-9]/.test(line)), {
      timeoutMs: 120_000,
    });
    const apps = appsOf(demo.child.pid!);
    expect(apps).toHaveLength(3); // two consumers and the producer
    process.kill(demo.child.pid!, 'SIGKILL'); // the demo alone, not its group
    await demo.exited;
    expect(apps.filter(alive)).toEqual(apps);

    // The next run sweeps them first, even one that fails at once for want of a broker.
    const next = runDemo({ ...ctx.env, KAFKA_BROKERS: '127.0.0.1:1' });
    expect(await next.exited).toBe(1);
    expect(next.output).toContain('▶ stopped the apps of 1 demo run(s) that were killed');
    expect(apps.filter(alive)).toEqual([]);
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
