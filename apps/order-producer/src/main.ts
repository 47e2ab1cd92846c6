import { HttpConfig, producerHttpConfig } from '@app/config';
import { dropKafkajsTimerWarning, exitOnSignals, exitOnStartupError, listen } from '@app/platform';
import { createOrderProducerApp } from './order-producer.app';
import { OrderSchedule } from './orders/order-schedule';

async function bootstrap(): Promise<void> {
  dropKafkajsTimerWarning();
  const app = await createOrderProducerApp();
  const shutdown = exitOnSignals(app);
  await listen(app, app.get<HttpConfig>(producerHttpConfig.KEY).port);

  // A bounded run (PRODUCER_MAX_ORDERS / PRODUCER_DURATION_S) flushes, closes and exits 0 on its own.
  await app.get(OrderSchedule).finished;
  shutdown('run complete');
}

bootstrap().catch(exitOnStartupError('order-producer'));
