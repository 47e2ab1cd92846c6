import { DeadLetterPublisher } from '@app/dlq';
import { KafkaBatchObserver } from '@app/kafka';
import { Injectable } from '@nestjs/common';
import { KafkaStatus } from '@nestjs/microservices';
import { Consumer } from 'kafkajs';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { Observable } from 'rxjs';

type Status = 'starting' | 'running' | 'rebalancing' | 'crashed' | 'stopped';

/**
 * kafkajs fetches at least every maxWaitTime (0.5 s) and heartbeats every 3 s, and no batch blocks it
 * longer than one bounded statement: this much silence means the broker is out of reach.
 */
export const BROKER_SILENCE_MS = 20_000;

export interface PartitionWait {
  topic: string;
  partition: number;
  dependency: string;
  reason: string;
  attempt: number;
}

/**
 * Restarts of a consumer kafkajs gave up on, in a row without a group join between them, after
 * which the process is no longer alive: the orchestrator's restart is the next remedy.
 */
export const RESTARTS_BEFORE_DEAD = 5;

export interface Readiness {
  consumer: { ready: boolean; reason?: string };
  /** Partitions held back, each with what it waits for. */
  waiting: PartitionWait[];
}

/** What readiness reports about the Kafka consumer: group membership, broker contact, held partitions. */
@Injectable()
export class ConsumerState implements KafkaBatchObserver {
  private status: Status = 'starting';
  private crash?: string;
  private lastContact = Date.now();
  private readonly held = new Map<string, PartitionWait>();
  private restart?: { reason: string; attempt: number };
  private readonly deadListeners: Array<(reason: string) => void> = [];
  assignment: Record<string, number[]> = {};
  /** Group joins and consumer crashes since start: a batch that outlived the session shows as a second join. */
  readonly history = { joins: 0, crashes: 0 };

  constructor(
    @InjectPinoLogger(ConsumerState.name) private readonly logger: PinoLogger,
    private readonly deadLetters: DeadLetterPublisher,
  ) {}

  /**
   * Nest's status stream says where the consumer is in its life; kafkajs's own events add what the
   * stream does not carry: the partitions each join assigned, why it crashed, each broker contact.
   */
  watch(consumer: Consumer, status: Observable<KafkaStatus>): void {
    // KafkaStatus is a const enum: compared by its string values, which survive any build.
    status.subscribe((next) => {
      const value = String(next);
      if (value === 'rebalancing' && this.status === 'running') this.status = 'rebalancing';
      if (value === 'crashed') this.status = 'crashed';
      if (value === 'stopped') this.status = 'stopped';
    });
    const { GROUP_JOIN, CRASH, FETCH, HEARTBEAT } = consumer.events;
    consumer.on(GROUP_JOIN, ({ payload }) => {
      this.history.joins += 1;
      this.status = 'running';
      this.crash = undefined;
      this.restart = undefined;
      this.lastContact = Date.now();
      this.assignment = payload.memberAssignment;
      this.deadLetters.assigned(payload.groupId, payload.memberAssignment);
      // A partition that moved to another member is no longer this one's to wait for.
      for (const [key, wait] of this.held) {
        if (!this.assignment[wait.topic]?.includes(wait.partition)) this.held.delete(key);
      }
      this.logger.info(
        { group: payload.groupId, member: payload.memberId, assignment: payload.memberAssignment },
        'joined consumer group',
      );
    });
    consumer.on(CRASH, ({ payload }) => {
      this.history.crashes += 1;
      this.crash = `${payload.error.name}: ${payload.error.message}`;
      this.logger.error({ err: this.crash, restart: payload.restart }, 'consumer crashed');
    });
    const contact = () => {
      this.lastContact = Date.now();
    };
    consumer.on(FETCH, contact);
    consumer.on(HEARTBEAT, contact);
  }

  restarting(reason: string, attempt: number, retryInMs: number): void {
    this.restart = { reason, attempt };
    this.logger.warn(
      { err: reason, attempt, retry_in_ms: retryInMs },
      'kafkajs stopped the consumer for good; starting it again',
    );
    const { alive, reason: why } = this.liveness();
    if (!alive && attempt === RESTARTS_BEFORE_DEAD) for (const listener of this.deadListeners) listener(why!);
  }

  /** Called once the process is no longer of any use (see liveness()), e.g. to exit for a restart policy. */
  onDead(listener: (reason: string) => void): void {
    this.deadListeners.push(listener);
  }

  /**
   * Whether the process is of any use: false once the consumer was restarted RESTARTS_BEFORE_DEAD
   * times without rejoining its group (liveness then fails and the orchestrator replaces it).
   */
  liveness(): { alive: boolean; reason?: string } {
    if (!this.restart || this.restart.attempt < RESTARTS_BEFORE_DEAD) return { alive: true };
    return {
      alive: false,
      reason: `the Kafka consumer stopped ${this.restart.attempt} times without rejoining its group: ${this.restart.reason}`,
    };
  }

  closing(): void {
    this.logger.info('closing: finishing the batches in flight');
  }

  holding(
    topic: string,
    partition: number,
    wait: Omit<PartitionWait, 'topic' | 'partition'> & { retryInMs: number },
  ): void {
    const { dependency, reason, attempt, retryInMs } = wait;
    this.held.set(`${topic}|${partition}`, { topic, partition, dependency, reason, attempt });
    this.logger.warn(
      { topic, partition, attempt, retry_in_ms: retryInMs, waiting_for: dependency, err: reason },
      'batch held back; partition paused until the retry',
    );
  }

  released(topic: string, partition: number): void {
    const wait = this.held.get(`${topic}|${partition}`);
    if (!wait) return;
    this.held.delete(`${topic}|${partition}`);
    this.logger.info(
      { topic, partition, attempts: wait.attempt + 1, waited_for: wait.dependency },
      'partition resumed',
    );
  }

  readiness(now = Date.now()): Readiness {
    return { consumer: this.membership(now), waiting: [...this.held.values()] };
  }

  private membership(now: number): Readiness['consumer'] {
    if (this.status !== 'running' && this.status !== 'rebalancing') {
      return {
        ready: false,
        reason: this.crash ? `consumer crashed: ${this.crash}` : `consumer is ${this.status}`,
      };
    }
    const silentFor = now - this.lastContact;
    if (silentFor > BROKER_SILENCE_MS) {
      return {
        ready: false,
        reason: `no answer from the Kafka broker for ${Math.round(silentFor / 1000)} s`,
      };
    }
    return { ready: true };
  }
}
