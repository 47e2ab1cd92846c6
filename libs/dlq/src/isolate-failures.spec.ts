import { isolateFailures } from './isolate-failures';

const pgError = (code: string, message = 'refused') => Object.assign(new Error(message), { code });

/** A statement that refuses any part holding one of `bad`, as PostgreSQL refuses a whole INSERT. */
function statements(bad: Set<number>, error: () => Error = () => pgError('23514')) {
  const run: number[][] = [];
  const work = (part: number[]) => {
    run.push(part);
    return part.some((n) => bad.has(n)) ? Promise.reject(error()) : Promise.resolve(part);
  };
  return { run, work };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe(isolateFailures.name, () => {
  it('runs one statement when nothing is refused', async () => {
    const { work } = statements(new Set());
    const between = jest.fn().mockResolvedValue(undefined);
    await expect(isolateFailures(range(1000), work, between)).resolves.toMatchObject({
      refused: [],
      statements: 1,
      anySucceeded: true,
    });
    expect(between).toHaveBeenCalledTimes(1);
  });

  it.each([0, 1, 499, 500, 998, 999])(
    'isolates one bad row of 1,000 (row %i) in at most 2·⌈log₂ n⌉ statements after the first, with a heartbeat before each',
    async (badRow) => {
      const { run, work } = statements(new Set([badRow]));
      const between = jest.fn().mockResolvedValue(undefined);
      const result = await isolateFailures(range(1000), work, between);
      expect(result.refused.map((r) => r.item)).toEqual([badRow]);
      expect(result.statements - 1).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(1000)));
      expect(between).toHaveBeenCalledTimes(result.statements);
      // Every other row went through, in order, exactly once.
      expect(result.results.flat()).toEqual(range(1000).filter((n) => n !== badRow));
      expect(run.length).toBe(result.statements);
    },
  );

  it('finds several bad rows, each with its own error', async () => {
    const { work } = statements(new Set([3, 700]));
    const result = await isolateFailures(range(1000), work, () => Promise.resolve());
    expect(result.refused.map((r) => r.item)).toEqual([3, 700]);
    expect(result.results.flat()).toHaveLength(998);
  });

  it('reports when no part went through: the failure is shared, not any row’s', async () => {
    const { work } = statements(new Set(range(8)), () => new Error('relation "orders" does not exist'));
    const result = await isolateFailures(range(8), work, () => Promise.resolve());
    expect(result.anySucceeded).toBe(false);
    expect(result.refused).toHaveLength(8);
  });

  it('stops at the first failure of the environment and rethrows it', async () => {
    let calls = 0;
    const work = () => {
      calls += 1;
      return Promise.reject(pgError('25006', 'cannot execute INSERT in a read-only transaction'));
    };
    await expect(isolateFailures(range(100), work, () => Promise.resolve())).rejects.toMatchObject({
      code: '25006',
    });
    expect(calls).toBe(1);
  });

  it('stops when the heartbeat says the batch must stop', async () => {
    const { work } = statements(new Set([5]));
    let beats = 0;
    const between = () => (++beats > 2 ? Promise.reject(new Error('rebalancing')) : Promise.resolve());
    await expect(isolateFailures(range(10), work, between)).rejects.toThrow('rebalancing');
  });
});
