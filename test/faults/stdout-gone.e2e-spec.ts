import { killSpawnedApps, spawnBuiltApp } from '../support/apps';
import { E2eContext, setUpE2e } from '../support/e2e-context';

describe('fault: the reader of an app’s stdout goes away (a closed terminal, a killed parent)', () => {
  let ctx: E2eContext;

  beforeAll(async () => {
    ctx = await setUpE2e('stdout_gone');
  });

  afterAll(async () => {
    await killSpawnedApps();
    await ctx?.close();
  });

  it.each(['order-producer', 'order-consumer'] as const)(
    '%s still stops on SIGTERM, within its 10 s deadline, with code 0',
    async (name) => {
      const app = spawnBuiltApp(name, { ...ctx.env, LOG_LEVEL: 'debug', PRODUCER_RATE: '200' });
      await app.httpPort();
      // Nobody reads the app's output any more: every log line it writes now fails with EPIPE,
      // starting with the one that says it is shutting down.
      app.child.stdout!.destroy();
      app.child.stderr!.destroy();
      const signalled = Date.now();
      app.child.kill('SIGTERM');
      const { code } = await app.exited;
      const seconds = (Date.now() - signalled) / 1000;
      process.stdout.write(`[stdout-gone] ${name}: exit ${code} ${seconds.toFixed(1)} s after SIGTERM\n`);
      expect(code).toBe(0);
      expect(seconds).toBeLessThan(10);
    },
  );
});
