import { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** The flag that makes V8 print one line per collection on stdout, with its main-thread pause. */
export const TRACE_GC = '--trace-gc';

// "…: Scavenge 4.8 (5.8) -> 4.4 (6.8) MB, pooled: 0 MB, 1.48 / 0.00 ms …" and, for a full
// collection, "… 12.3 / 0.0 ms (+ 5.2 ms in 20 steps since start of marking …": the pause, plus the
// incremental marking the main thread did before it.
const COLLECTION =
  /: (?:Scavenge|Mark-Compact|Minor Mark-Sweep)\b.*?([\d.]+) \/ [\d.]+ ms(?: +\(\+ ([\d.]+) ms in)?/;

/**
 * Adds up the main thread's garbage-collection time of a child started with TRACE_GC (its stdout
 * piped), read from V8's own trace: no code runs inside the measured process.
 */
export class GcMeter {
  private totalMs = 0;

  constructor(child: ChildProcess) {
    if (!child.stdout) throw new Error('the child’s stdout must be piped to measure its garbage collection');
    createInterface({ input: child.stdout }).on('line', (line) => {
      const match = COLLECTION.exec(line);
      if (match) this.totalMs += Number(match[1]) + Number(match[2] ?? 0);
    });
  }

  /** Main-thread milliseconds spent collecting garbage so far. */
  get milliseconds(): number {
    return this.totalMs;
  }
}
