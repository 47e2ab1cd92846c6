import { viewConfig, ViewConfig } from '@app/config';
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AddressInfo } from 'node:net';
import { PipelineControls } from './pipeline-controls';
import { PipelineViewModule } from './view.module';

/**
 * Starts the live view of a running pipeline on `port` (VIEW_PORT when not given) and returns it with
 * its address: `npm run view` on its own, or inside the demo with buttons for its processes (`controls`).
 */
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
