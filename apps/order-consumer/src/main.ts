import { consumerHttpConfig, HttpConfig, validateConfigOrExit } from '@app/config';
import { dropKafkajsTimerWarning, exitOnSignals, exitOnStartupError, listen } from '@app/platform';
import { createOrderConsumerApp } from './order-consumer.app';
import { CONSUMER_CONFIG } from './order-consumer.module';

async function bootstrap(): Promise<void> {
  dropKafkajsTimerWarning();
  validateConfigOrExit('order-consumer', CONSUMER_CONFIG);
  const app = await createOrderConsumerApp();
  exitOnSignals(app);
  await listen(app, app.get<HttpConfig>(consumerHttpConfig.KEY).port);
}

bootstrap().catch(exitOnStartupError('order-consumer'));
