import { waitUntil, WaitTimeout } from './wait';

describe(waitUntil.name, () => {
  it('returns the first value that is neither undefined nor false', async () => {
    const values = [undefined, false, 0, 7];
    await expect(waitUntil('a value', () => values.shift(), { intervalMs: 1 })).resolves.toBe(0);
  });

  it('ends at once on an error from the check, unless errors mean "not yet"', async () => {
    let calls = 0;
    const refusesTwice = () => {
      calls += 1;
      if (calls <= 2) throw new Error('connection refused');
      return 'connected';
    };
    await expect(waitUntil('a server', refusesTwice, { intervalMs: 1 })).rejects.toThrow(
      'connection refused',
    );
    expect(calls).toBe(1);
    await expect(waitUntil('a server', refusesTwice, { intervalMs: 1, retryErrors: true })).resolves.toBe(
      'connected',
    );
  });

  it('fails after the deadline naming what it waited for and the last thing it saw', async () => {
    const failing = waitUntil(
      'the broker',
      () => {
        throw new Error('ECONNREFUSED');
      },
      { timeoutMs: 50, intervalMs: 5, retryErrors: true },
    );
    await expect(failing).rejects.toThrow(WaitTimeout);
    await expect(failing).rejects.toThrow(
      'timed out after 0.05 s waiting for the broker; last: ECONNREFUSED',
    );
  });
});
