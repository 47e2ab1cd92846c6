import { consumerHttpConfig, HttpConfig } from '@app/config';
import { dropKafkajsTimerWarning, exitOnSignals, exitOnStartupError, listen } from '@app/platform';
import { runMigrateCommand } from './database/migrate.command';
import { letOldGenerationGrow } from './heap-growth';
import { ConsumerState } from './kafka/consumer-state';
import { createOrderConsumerApp } from './order-consumer.app';

async function bootstrap(): Promise<void> {
  letOldGenerationGrow();
  dropKafkajsTimerWarning();
  if (process.argv[2] === 'migrate') return runMigrateCommand();
  const app = await createOrderConsumerApp();
  const shutdown = exitOnSignals(app);
  // /health/live is 503 from here; compose's restart policy acts only on an exit, so exit too (code 1).
  app.get(ConsumerState).onDead((reason) => {
    process.exitCode = 1;
    shutdown(reason);
  });
  await listen(app, app.get<HttpConfig>(consumerHttpConfig.KEY).port);
  await app.startAllMicroservices();
}

bootstrap().catch(exitOnStartupError('order-consumer'));
