import { ConsumerObserver } from '@app/kafka';
import { Injectable } from '@nestjs/common';
import { Consumer } from 'kafkajs';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';

type Status = 'starting' | 'running' | 'rebalancing' | 'crashed' | 'stopped';

export interface Readiness {
  consumer: { ready: boolean; reason?: string };
  waitingFor?: { dependency: string; reason: string };
}

/** What readiness reports about the Kafka consumer: group membership, crashes, outage waits. */
@Injectable()
export class ConsumerState implements ConsumerObserver {
  private status: Status = 'starting';
  private crash?: string;
  private waiting?: { dependency: string; reason: string };
  private readonly shutdown = new AbortController();
  assignment: Record<string, number[]> = {};

  constructor(@InjectPinoLogger(ConsumerState.name) private readonly logger: PinoLogger) {}

  /** Aborted when the Kafka server starts closing: waits between retries end at once. */
  get closingSignal(): AbortSignal {
    return this.shutdown.signal;
  }

  watch(consumer: Consumer): void {
    const { GROUP_JOIN, REBALANCING, CRASH, STOP } = consumer.events;
    consumer.on(GROUP_JOIN, ({ payload }) => {
      this.status = 'running';
      this.crash = undefined;
      this.assignment = payload.memberAssignment;
      this.logger.info(
        { group: payload.groupId, member: payload.memberId, assignment: payload.memberAssignment },
        'joined consumer group',
      );
    });
    consumer.on(REBALANCING, () => {
      if (this.status === 'running') this.status = 'rebalancing';
    });
    consumer.on(CRASH, ({ payload }) => {
      this.status = 'crashed';
      this.crash = `${payload.error.name}: ${payload.error.message}`;
      this.logger.error({ err: this.crash, restart: payload.restart }, 'consumer crashed');
    });
    consumer.on(STOP, () => {
      this.status = 'stopped';
    });
  }

  closing(): void {
    this.shutdown.abort();
  }

  waitingFor(dependency: string, reason: string): void {
    this.waiting = { dependency, reason };
  }

  resumed(): void {
    this.waiting = undefined;
  }

  readiness(): Readiness {
    const consumer =
      this.status === 'running' || this.status === 'rebalancing'
        ? { ready: true }
        : {
            ready: false,
            reason: this.crash ? `consumer crashed: ${this.crash}` : `consumer is ${this.status}`,
          };
    return { consumer, waitingFor: this.waiting };
  }
}
