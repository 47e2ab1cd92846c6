import { BaseRpcContext } from '@nestjs/microservices';
import { KafkaMessage } from 'kafkajs';

/** The batch's offset commit: what to commit, and whether the handler already did. */
export interface BatchCommit {
  groupId: string;
  /** The batch's last offset + 1: the next record this group should read. */
  offset: string;
  committed: boolean;
}

type KafkaBatchContextArgs = [
  topic: string,
  partition: number,
  messages: KafkaMessage[],
  attempt: number,
  heartbeat: () => Promise<void>,
  commit: BatchCommit,
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

  /**
   * Keeps the group membership alive during long work: call it between steps (statements, sends).
   * It throws when the batch must stop: the member lost the group (the transport hands that error
   * to kafkajs, which rejoins) or the consumer is shutting down.
   */
  getHeartbeat(): () => Promise<void> {
    return this.args[4];
  }

  getGroupId(): string {
    return this.args[5].groupId;
  }

  /** The offset that commits this batch: its last offset + 1. */
  getCommitOffset(): string {
    return this.args[5].offset;
  }

  /**
   * The handler committed the batch's offset itself, in a Kafka transaction with what it wrote
   * (its dead letters): the transport must not commit it again.
   */
  offsetCommitted(): void {
    this.args[5].committed = true;
  }
}
