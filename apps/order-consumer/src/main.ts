import { consumerHttpConfig, HttpConfig } from '@app/config';
import { dropKafkajsTimerWarning, exitOnSignals, exitOnStartupError, listen } from '@app/platform';
import { runMigrateCommand } from './database/migrate.command';
import { createOrderConsumerApp } from './order-consumer.app';

async function bootstrap(): Promise<void> {
  dropKafkajsTimerWarning();
  if (process.argv[2] === 'migrate') return runMigrateCommand();
  const app = await createOrderConsumerApp();
  exitOnSignals(app);
  await listen(app, app.get<HttpConfig>(consumerHttpConfig.KEY).port);
}

bootstrap().catch(exitOnStartupError('order-consumer'));
