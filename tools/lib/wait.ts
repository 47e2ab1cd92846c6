import { setTimeout } from 'node:timers/promises';

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /**
   * An error from `check` is "not yet" (a server still starting refuses connections) and the wait
   * goes on; without it, the error ends the wait at once (an app it waits on has exited).
   */
  retryErrors?: boolean;
}

/** The deadline passed before the condition held (anything else is the error `check` threw). */
export class WaitTimeout extends Error {}

/**
 * The one wait with a deadline, for the tools and the tests: polls `check` until it returns a value
 * other than undefined/false and returns that value, or fails naming what it waited for and the last
 * value or error seen. Nothing here synchronises on a sleep: every wait is for a condition.
 */
export async function waitUntil<T>(
  description: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 60_000, intervalMs = 200, retryErrors = false }: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      last = await check();
      if (last !== undefined && last !== false) return last as T;
    } catch (error) {
      if (!retryErrors) throw error;
      last = error;
    }
    if (Date.now() > deadline) {
      const seen = last === undefined || last === false ? '' : `; last: ${shown(last)}`;
      throw new WaitTimeout(`timed out after ${timeoutMs / 1000} s waiting for ${description}${seen}`);
    }
    await setTimeout(intervalMs);
  }
}

function shown(value: unknown): string {
  return value instanceof Error ? value.message : JSON.stringify(value);
}
