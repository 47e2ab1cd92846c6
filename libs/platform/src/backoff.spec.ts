import { EventEmitter, getEventListeners } from 'node:events';
import { backoffDelay, delay } from './backoff';

describe('backoffDelay', () => {
  it('doubles from the base up to the cap, with jitter between half and all of it', () => {
    const low = () => 0;
    const high = () => 1;
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, 250, 5_000, high))).toEqual([
      250, 500, 1_000, 2_000, 4_000, 5_000,
    ]);
    expect(backoffDelay(3, 250, 5_000, low)).toBe(500);
  });
});

describe('delay', () => {
  it('leaves no listener on the signal once it has waited: a long outage retries thousands of times on one signal', async () => {
    const abort = new AbortController();
    const warnings: Error[] = [];
    process.on('warning', (warning) => warnings.push(warning));
    // More waits than EventEmitter's default limit of listeners (10).
    for (let i = 0; i < EventEmitter.defaultMaxListeners + 5; i += 1) await delay(1, abort.signal);
    expect(getEventListeners(abort.signal, 'abort')).toHaveLength(0);
    await new Promise((done) => setImmediate(done));
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  });

  it('ends at once when the signal aborts', async () => {
    const abort = new AbortController();
    const waiting = delay(60_000, abort.signal);
    abort.abort();
    await expect(waiting).resolves.toBeUndefined();
    expect(getEventListeners(abort.signal, 'abort')).toHaveLength(0);
  });
});
