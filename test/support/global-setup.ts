// A relative import: global setup runs outside jest's module mapper.
import { dropKafkajsTimerWarning } from '../../libs/platform/src/process-warnings';
import { startTestServices, TestServices } from './services';

declare global {
  var __foodOrdersServices: TestServices | undefined;
}

export default async function globalSetup(): Promise<void> {
  // Jest's own process: where a lone test file runs (in band), its apps' kafkajs warning lands here.
  dropKafkajsTimerWarning();
  const services = await startTestServices((line) => process.stderr.write(`${line}\n`));
  globalThis.__foodOrdersServices = services;
  // Test files read these; each file then creates its own database and topics.
  process.env.TEST_KAFKA_BROKERS = services.brokers;
  process.env.TEST_POSTGRES_URL = services.postgresUrl;
  process.env.TEST_SERVICES_SOURCE = services.source;
  process.env.TEST_RUN_ID = `${Date.now().toString(36)}${process.pid.toString(36)}`;
  // Fault tests stop and restart this broker (LocalKafka.attach); other sources cannot be restarted.
  if (services.localKafka) process.env.TEST_LOCAL_KAFKA_DIR = services.localKafka.dataDir;
}
