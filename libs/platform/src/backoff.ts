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

export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
