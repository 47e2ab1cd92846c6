import { connectAtStartup, reasonOf, StartupError } from './startup';

const refused = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
const wait = {
  app: 'order-consumer',
  dependency: 'database',
  where: '127.0.0.1:5432/orders',
  fix: 'start PostgreSQL',
};

describe(connectAtStartup.name, () => {
  let write: jest.SpyInstance;
  beforeEach(() => {
    write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });
  afterEach(() => write.mockRestore());

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
    const lines = write.mock.calls.map(([line]) => JSON.parse(line as string) as Record<string, unknown>);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines[0]).toMatchObject({
      level: 40,
      msg: 'waiting for the database',
      where: '127.0.0.1:5432/orders',
    });
  });

  it('reads the cause of an AggregateError, as pg reports a refused localhost', () => {
    expect(reasonOf(new AggregateError([refused(), refused()]))).toBe('connect ECONNREFUSED 127.0.0.1:5432');
  });
});
