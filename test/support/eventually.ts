/**
 * Polls until `check` returns a value other than undefined/false, or fails with the description
 * and the last value seen once the deadline passes. Tests synchronise on conditions, never on sleeps.
 */
export async function eventually<T>(
  description: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 60_000, intervalMs = 200 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}; last: ${String(last)}`);
    }
    await new Promise((done) => setTimeout(done, intervalMs));
  }
}
