// Preloaded into a consumer a test wants to die at the worst moment: its first Kafka transaction
// is killed (SIGKILL) after its dead letters and offsets were sent and before its commit, i.e. with
// the dead letters durable in the log but not committed.
import { Kafka, Producer, Transaction } from 'kafkajs';

const createProducer = Kafka.prototype.producer;
Kafka.prototype.producer = function (this: Kafka, ...args: Parameters<Kafka['producer']>): Producer {
  const producer = createProducer.apply(this, args);
  const begin = producer.transaction.bind(producer);
  producer.transaction = async (): Promise<Transaction> => {
    const transaction = await begin();
    transaction.commit = () => {
      process.stdout.write('{"msg":"killed before the transaction commit"}\n');
      process.kill(process.pid, 'SIGKILL');
      return new Promise<void>(() => undefined);
    };
    return transaction;
  };
  return producer;
};
