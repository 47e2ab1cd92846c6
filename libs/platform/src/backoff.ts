/**
 * The one retry policy of the product, for a wait on a dependency (the broker for the producer, the
 * database or the dead-letter topic for the consumer): about 250 ms, 500 ms, 1 s, 2 s, then every
 * 5 s for as long as it takes. Short first tries ride out a blip; the cap keeps a long outage cheap.
 */
export const RETRY_POLICY = { baseMs: 250, capMs: 5_000 } as const;

/** Exponential backoff with jitter: attempt n waits between half and all of min(cap, base × 2^(n-1)). */
export function backoffDelay(attempt: number, baseMs: number, capMs: number, random = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * Waits `ms`, or less if `signal` aborts. The listener goes with the wait: a retry loop calls this
 * thousands of times on one long-lived signal during an outage.
 */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
