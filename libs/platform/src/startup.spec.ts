import { connectAtStartup, reasonOf, StartupError } from './startup';

const refused = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
const warned: { fields: object; msg: string }[] = [];
const wait = {
  logger: { warn: (fields: object, msg: string) => warned.push({ fields, msg }) },
  dependency: 'database',
  where: '127.0.0.1:5432/orders',
  fix: 'start PostgreSQL',
};

describe(connectAtStartup.name, () => {
  beforeEach(() => {
    warned.length = 0;
  });

  it('returns as soon as the dependency answers, after refusals', async () => {
    const connect = jest
      .fn()
      .mockRejectedValueOnce(refused())
      .mockRejectedValueOnce(refused())
      .mockResolvedValue('up');
    await expect(connectAtStartup(connect, { ...wait, waitMs: 10_000 })).resolves.toBe('up');
    expect(connect).toHaveBeenCalledTimes(3);
  });

  it('fails at once, with its fix, on a cause no wait can cure', async () => {
    const connect = jest
      .fn()
      .mockRejectedValue(Object.assign(new Error('database "orders" does not exist'), { code: '3D000' }));
    const attempt = connectAtStartup(connect, {
      ...wait,
      waitMs: 60_000,
      permanent: (error) => ((error as { code?: string }).code === '3D000' ? 'create it' : undefined),
    });
    await expect(attempt).rejects.toEqual(
      new StartupError('database', '127.0.0.1:5432/orders: database "orders" does not exist', 'create it'),
    );
    expect(connect).toHaveBeenCalledTimes(1);
  });

  it('gives up after the wait with the last cause, saying every few seconds what it waits for', async () => {
    const connect = jest.fn().mockRejectedValue(refused());
    const attempt = connectAtStartup(connect, { ...wait, waitMs: 1_200, everyMs: 300 });
    await expect(attempt).rejects.toMatchObject({
      dependency: 'database',
      reason: 'no answer from 127.0.0.1:5432/orders within 1 s: connect ECONNREFUSED 127.0.0.1:5432',
      fix: 'start PostgreSQL',
    });
    expect(warned.length).toBeGreaterThan(0);
    expect(warned[0]).toMatchObject({
      msg: 'waiting for the database',
      fields: { where: '127.0.0.1:5432/orders', reason: 'connect ECONNREFUSED 127.0.0.1:5432' },
    });
  });

  it('reads the cause of an AggregateError, as pg reports a refused localhost', () => {
    expect(reasonOf(new AggregateError([refused(), refused()]))).toBe('connect ECONNREFUSED 127.0.0.1:5432');
  });
});
