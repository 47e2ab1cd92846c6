/**
 * npm run view: the live view of a running pipeline, at http://127.0.0.1:VIEW_PORT (3003). It reads
 * KAFKA_BROKERS, DATABASE_URL, the topics and the group like the apps, and the apps' own endpoints
 * (VIEW_APPS). `npm run demo` starts the same view with buttons for its own processes.
 */
import { viewConfig, ViewConfig } from '@app/config';
import { dropKafkajsTimerWarning, exitOnSignals } from '@app/platform';
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AddressInfo } from 'node:net';
import { failCommand } from '../command';
import { PipelineControls } from './pipeline-controls';
import { PipelineViewModule } from './view.module';

/** Starts the view on `port` (VIEW_PORT when not given) and returns it with its address. */
export async function startView(
  controls?: PipelineControls,
  port?: number,
): Promise<{ app: INestApplication; url: string }> {
  const app = await NestFactory.create(PipelineViewModule.forRoot(controls), {
    // Quiet until it listens: a port already taken is said in one line below, not in Nest's too.
    logger: false,
    abortOnError: false,
    // An open page holds its event stream open: closing the view must not wait for the browser.
    forceCloseConnections: true,
  });
  const wanted = port ?? app.get<ViewConfig>(viewConfig.KEY).port;
  await app.listen(wanted, '127.0.0.1').catch(async (error: NodeJS.ErrnoException) => {
    await app.close();
    throw error.code === 'EADDRINUSE'
      ? new Error(`port ${wanted} is taken (another view?): set VIEW_PORT to a free port, or 0 for any`)
      : error;
  });
  app.useLogger(['error', 'warn']);
  const address = (app.getHttpServer() as { address(): AddressInfo }).address();
  return { app, url: `http://127.0.0.1:${address.port}` };
}

if (require.main === module) {
  dropKafkajsTimerWarning();
  startView().then(({ app, url }) => {
    // Run inside the demo, the view closes with the demo; on its own, with Ctrl-C.
    exitOnSignals(app);
    process.stdout.write(`live view of the pipeline: ${url}  (Ctrl-C stops it)\n`);
  }, failCommand('view'));
}
