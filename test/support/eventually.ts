import { waitUntil, WaitOptions } from '../../tools/lib/wait';

/**
 * Polls until `check` returns a value other than undefined/false (errors count as "not yet"), or
 * fails with the description and the last value seen: the tools' waitUntil, as the tests use it.
 * Tests synchronise on conditions, never on sleeps.
 */
export function eventually<T>(
  description: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  options: Omit<WaitOptions, 'retryErrors'> = {},
): Promise<T> {
  return waitUntil(description, check, { ...options, retryErrors: true });
}
