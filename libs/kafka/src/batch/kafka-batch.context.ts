import { BaseRpcContext } from '@nestjs/microservices';
import { KafkaMessage } from 'kafkajs';

type KafkaBatchContextArgs = [
  topic: string,
  partition: number,
  messages: KafkaMessage[],
  attempt: number,
  heartbeat: () => Promise<void>,
];

/** What a handler of the batch transport learns about its batch through @Ctx(). */
export class KafkaBatchContext extends BaseRpcContext<KafkaBatchContextArgs> {
  getTopic(): string {
    return this.args[0];
  }

  getPartition(): number {
    return this.args[1];
  }

  /** The records of one partition, in offset order, with key, value and header bytes as received. */
  getMessages(): KafkaMessage[] {
    return this.args[2];
  }

  /** 1 on first delivery; 2, 3, … each time the transport retries a batch it had to hold back. */
  getAttempt(): number {
    return this.args[3];
  }

  /** Keeps the group membership alive during long work. */
  getHeartbeat(): () => Promise<void> {
    return this.args[4];
  }
}
