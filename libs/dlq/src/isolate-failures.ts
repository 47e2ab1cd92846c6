import { classifyError } from './classify-error';

export interface Isolation<T, R> {
  /** What each statement that went through returned, in item order. */
  results: R[];
  /** Items that failed on their own, each with the error of the smallest statement that held it. */
  refused: Array<{ item: T; error: unknown }>;
  /** Whether any statement went through: evidence that a failure follows records, not the database. */
  anySucceeded: boolean;
  /** Statements run, the first (whole) one included. */
  statements: number;
}

/**
 * Runs `work` on all `items` at once and, when that fails for a reason that is not the
 * environment's, splits them by halves until every failure is pinned on single items (bisection:
 * one bad item among n costs at most 2·log₂ n statements after the first, not n). Items are
 * worked in their order, so rows keep their partition's order. `between` runs before every
 * statement: the caller's heartbeat, so that long isolation keeps the group membership.
 * Environment failures (classifyError → 'transient') are rethrown at once: they are nobody's record.
 */
export async function isolateFailures<T, R>(
  items: T[],
  work: (part: T[]) => Promise<R>,
  between: () => Promise<void>,
): Promise<Isolation<T, R>> {
  const out: Isolation<T, R> = { results: [], refused: [], anySucceeded: false, statements: 0 };

  /** The error of `part`'s statement, or undefined when it went through. */
  const attempt = async (part: T[]): Promise<{ error: unknown } | undefined> => {
    await between();
    out.statements += 1;
    try {
      out.results.push(await work(part));
      out.anySucceeded = true;
      return undefined;
    } catch (error) {
      if (classifyError(error) === 'transient') throw error;
      return { error };
    }
  };

  const split = async (part: T[], error: unknown): Promise<void> => {
    if (part.length === 1) {
      out.refused.push({ item: part[0], error });
      return;
    }
    const middle = Math.ceil(part.length / 2);
    const [left, right] = [part.slice(0, middle), part.slice(middle)];
    const leftFailure = await attempt(left);
    if (leftFailure) await split(left, leftFailure.error);
    // The whole failed and its left half went through: a refusal of the record's kind (the same
    // every time) is in the right half, so it is split without being shown again. Anything less
    // certain is tried.
    const rightFailure =
      !leftFailure && classifyError(error) === 'invalid' ? { error } : await attempt(right);
    if (rightFailure) await split(right, rightFailure.error);
  };

  const failure = await attempt(items);
  if (failure) await split(items, failure.error);
  return out;
}
