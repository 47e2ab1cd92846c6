import { say } from '../lib/say';
import { App, last, partitionsOf, storedBy } from './apps';
import { LeaderFailover } from './failover';

/** A line of its own for what the demo does, below the live line a terminal rewrites. */
export function announce(line: string): void {
  if (process.stdout.isTTY) process.stdout.write('\n');
  say(line);
}

/**
 * The live line: offsets, lag, leaders and who owns which partition. A terminal gets one line
 * rewritten in place; a log file, a line every 5 s (every 5th `tick`) and the last one.
 */
export function printLiveLine(
  { produced, stored, lag, owned }: Pick<RunFigures, 'produced' | 'stored' | 'owned'> & { lag: string[] },
  consumers: App[],
  leaders: string,
  tick: number | 'done',
): void {
  const partitions = consumers.map((a, i) => `c${i + 1}${partitionsOf(a, owned)}`);
  const line = `produced ${produced} stored ${stored} lag ${lag.join('/')}${leaders} ${partitions.join(' ')}`;
  // At most 79 columns: an 80-column terminal keeps rewriting one line instead of scrolling.
  const progress = line.slice(0, 79);
  if (process.stdout.isTTY) process.stdout.write(`\r${progress.padEnd(79)}${tick === 'done' ? '\n' : ''}`);
  else if (tick === 'done' || tick % 5 === 0) say(progress);
}

export interface RunFigures {
  produced: number;
  stored: number;
  deadLettered: number;
  owned: Map<number, number[]>;
  latency: { p50: number; p95: number; max: number };
  producer: App;
  consumers: App[];
  /** The consumer that left the group half-way, and when. */
  left?: { app: App; afterS: number };
  failover?: LeaderFailover;
  startedAt: number;
}

/** The demo's last words: what was produced, stored and dead-lettered, who owned what, how fast; exit code 1 if an order is missing. */
export function printSummary(run: RunFigures): void {
  const { produced, stored, latency } = run;
  const sent = (last(run.producer, 'producer finished') ?? {}) as { rate?: number; errors?: number };
  say('\n── summary ─────────────────────────────────────────────');
  say(`  produced        ${produced} orders (${sent.rate ?? '?'}/s, producer errors ${sent.errors ?? 0})`);
  say(`  stored          ${stored} rows in PostgreSQL`);
  say(`  dead-lettered   ${run.deadLettered}`);
  if (run.failover) say(`  failover        ${run.failover.summary()}`);
  for (const app of run.consumers) {
    const when = app === run.left?.app ? ` (left after ${run.left.afterS} s)` : '';
    say(`  ${app.name}      partitions ${partitionsOf(app, run.owned)}${when}, stored ${storedBy(app)}`);
  }
  say(
    `  latency         created_at → row: p50 ${latency.p50} ms, p95 ${latency.p95} ms, max ${latency.max} ms`,
  );
  say(`  wall time       ${Math.round((Date.now() - run.startedAt) / 1000)} s`);
  say(stored === produced ? '  ✔ every produced order is stored' : '  ✘ some orders are missing');
  process.exitCode = stored === produced ? 0 : 1;
}
