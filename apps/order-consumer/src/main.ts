import {
  consumerHttpConfig,
  databaseConfig,
  HttpConfig,
  startupConfig,
  validateConfigOrExit,
} from '@app/config';
import { dropKafkajsTimerWarning, exitOnSignals, exitOnStartupError, listen } from '@app/platform';
import { runMigrateCommand } from './database/migrate.command';
import { createOrderConsumerApp } from './order-consumer.app';
import { CONSUMER_CONFIG } from './order-consumer.module';

async function bootstrap(): Promise<void> {
  dropKafkajsTimerWarning();
  if (process.argv[2] === 'migrate') {
    validateConfigOrExit('order-consumer migrate', [databaseConfig, startupConfig]);
    return runMigrateCommand();
  }
  validateConfigOrExit('order-consumer', CONSUMER_CONFIG);
  const app = await createOrderConsumerApp();
  exitOnSignals(app);
  await listen(app, app.get<HttpConfig>(consumerHttpConfig.KEY).port);
}

bootstrap().catch(exitOnStartupError('order-consumer'));
