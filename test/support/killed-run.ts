import { spawn } from 'node:child_process';
import { ROOT } from '../../tools/lib/paths';

/**
 * A run killed with kill -9 while its server runs: a separate process starts `server` (LocalKafka or
 * LocalPostgres) in `runsDir`, in a folder named after the run's pid as their own folders are, and is
 * killed with SIGKILL once the server is up. Resolves with the server's port.
 */
export async function serverOfKilledRun(
  server: 'LocalKafka' | 'LocalPostgres',
  runsDir: string,
): Promise<number> {
  const tool = server === 'LocalKafka' ? 'kafka/local-kafka' : 'postgres/local-postgres';
  const run = spawn(
    process.execPath,
    [
      '-r',
      'ts-node/register',
      '-e',
      `require('./tools/${tool}').${server}
         .start({ dataDir: require('node:path').join(${JSON.stringify(runsDir)}, 'run-1-' + process.pid), log: () => undefined })
         .then((started) => console.log(started.port))`,
    ],
    {
      cwd: ROOT,
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const port = await new Promise<number>((done) =>
    run.stdout.once('data', (data) => done(Number(String(data)))),
  );
  const gone = new Promise((done) => run.once('exit', done));
  run.kill('SIGKILL');
  await gone; // reaped: until then the run still counts as running
  return port;
}
