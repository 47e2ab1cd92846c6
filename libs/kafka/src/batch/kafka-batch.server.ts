import { backoffDelay } from '@app/platform';
import { KafkaOptions, KafkaStatus, MessageHandler, ServerKafka } from '@nestjs/microservices';
import { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { lastValueFrom, Observable } from 'rxjs';
import { KafkaBatchContext } from './kafka-batch.context';
import { BatchWait, batchWaitOf } from './retry-batch.exception';

/** A batch whose offset is committed: what the handler pipeline made of it, and how long it took. */
export interface CommittedBatch {
  topic: string;
  partition: number;
  /** Records of the batch. */
  records: number;
  /** What the handler pipeline emitted for the batch (the consumer's: what became of each record). */
  result: unknown;
  /** From handing the batch to the handler the first time (retries included) to its commit. */
  durationMs: number;
}

/**
 * Told about the consumer's life, about the partitions the transport holds back, and about each
 * batch once it is committed. Each observer implements what it needs.
 */
export interface KafkaBatchObserver {
  /**
   * The kafkajs consumer, from the moment it exists (so the first group join is not missed), and
   * Nest's status stream of the server (connected, rebalancing, stopped, crashed, …).
   */
  watch?(consumer: Consumer, status: Observable<KafkaStatus>): void;
  /** The server starts closing: nothing new will be fetched. */
  closing?(): void;
  /** A partition is paused until `retryInMs` has passed, because of `wait`. */
  holding?(topic: string, partition: number, wait: BatchWait & { attempt: number; retryInMs: number }): void;
  /** A partition that was held back finished a batch. */
  released?(topic: string, partition: number): void;
  /**
   * A batch is committed. Reported after the commit, never before: what is counted here is done,
   * and nothing an observer does can make the batch run again.
   */
  committed?(batch: CommittedBatch): void;
  /**
   * kafkajs stopped the consumer for good (a crash it does not restart after); the transport
   * restarts it in `retryInMs`, for the `attempt`th time since the consumer last joined its group.
   */
  restarting?(reason: string, attempt: number, retryInMs: number): void;
}

export interface KafkaBatchOptions {
  /** Handler patterns → the topics they read (the topic names come from config, known only at start). */
  topics: Record<string, string>;
  /** Most records handed to one handler call. */
  maxBatchSize: number;
  /** Backoff of a held-back batch: base × 2^(attempt-1) for the first tries, then the cap, with jitter. */
  retry: { baseMs: number; capMs: number };
  /** How long close() lets the batches in flight finish before abandoning them uncommitted. */
  closeGraceMs: number;
}

/** Thrown by a batch's heartbeat once the consumer is shutting down and the batch is abandoned. */
export class BatchAbandonedError extends Error {
  readonly name = 'BatchAbandonedError';
}

const partitionKey = (topic: string, partition: number) => `${topic}|${partition}`;

/** A finished batch, told to the observers once its commit succeeds (`since`: its first try began). */
type BatchReport = Omit<CommittedBatch, 'durationMs'> & { since: number };

/** The offset a consumer commits after `offset`: the next record to read, not the last one read. */
export const nextOffset = (offset: string): string => (BigInt(offset) + 1n).toString();

/**
 * Nest's Kafka transport, consuming per-partition batches (kafkajs eachBatch) instead of single
 * records. Each batch, up to `maxBatchSize` records of one partition in offset order, is one call
 * of the @EventPattern handler, so interceptors, pipes, filters and DI apply per batch. Records
 * reach it as kafkajs received them (Nest's parser would decode keys, values and headers; a dead
 * letter must carry the original bytes). After the pipeline completes, the transport commits the
 * batch's last offset + 1, unless the handler committed it in a transaction of its own.
 *
 * When the pipeline throws RetryBatchException (a dependency is down), the partition is paused and
 * its batch delivered again after a backoff, while the other partitions keep moving: kafkajs fetches
 * again only once every batch of the previous fetch has returned, so a batch that waited in place
 * would stall them all. Commit and heartbeat errors (a rebalance, an unknown member) go to kafkajs
 * as they are, so the consumer rejoins its group at once; a crash kafkajs does not restart after,
 * the transport restarts itself.
 */
export class KafkaBatchServer extends ServerKafka {
  private readonly inFlight = new Set<Promise<void>>();
  /** The tries of a batch held back, by partition: the same first offset means the same batch. */
  private readonly held = new Map<
    string,
    { firstOffset: string; attempts: number; since: number; timer: NodeJS.Timeout }
  >();
  /** Offsets whose records are done but whose commit the broker refused (e.g. during a rebalance). */
  private readonly uncommitted = new Map<string, { offset: string; report: BatchReport }>();
  private readonly abandon = new AbortController();
  private isClosing = false;
  private restarts = 0;
  private restartTimer?: NodeJS.Timeout;

  constructor(
    options: Required<KafkaOptions>['options'],
    private readonly batches: KafkaBatchOptions,
    private readonly observers: KafkaBatchObserver[],
  ) {
    super(options);
  }

  /** ServerKafka.start without its reply producer: events have no replies to send. */
  async start(callback: () => void): Promise<void> {
    this.consumer = this.client!.consumer({ ...this.options.consumer, groupId: this.groupId });
    this.registerConsumerEventListeners();
    await this.consumer.connect();
    await this.bindEvents(this.consumer);
    callback();
  }

  protected registerConsumerEventListeners(): void {
    super.registerConsumerEventListeners();
    const consumer = this.consumer;
    if (!consumer) return;
    for (const observer of this.observers) observer.watch?.(consumer, this.status);
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.restarts = 0;
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      // kafkajs restarts after errors it calls retriable; after any other (e.g. a commit refused
      // for a lost membership, tulios/kafkajs#1712) it has disconnected and stays stopped, while
      // the process looks alive. The consumer is started again from its last committed offsets.
      if (!payload.restart && !this.isClosing) this.scheduleRestart(consumer, payload.error);
    });
  }

  async bindEvents(consumer: Consumer): Promise<void> {
    const topics = [...this.messageHandlers.keys()].map((pattern) => this.topicOf(pattern));
    await consumer.subscribe({ ...this.options.subscribe, topics });
    await this.runConsumer(consumer);
  }

  /**
   * Stops fetching and lets the batches in flight finish and commit while this member still owns
   * their partitions (kafkajs drops commits once consumer.stop() has begun); a batch that cannot
   * finish within the grace (a silent database) is abandoned uncommitted, for the partition's next
   * owner to deliver again. Then leaves the group and disconnects.
   */
  async close(): Promise<void> {
    this.isClosing = true;
    for (const observer of this.observers) observer.closing?.();
    clearTimeout(this.restartTimer);
    for (const { timer } of this.held.values()) clearTimeout(timer);
    const consumer = this.consumer;
    if (consumer) {
      consumer.pause(Object.values(this.batches.topics).map((topic) => ({ topic })));
      const grace = new Promise<void>((done) => setTimeout(done, this.batches.closeGraceMs).unref());
      await Promise.race([Promise.allSettled([...this.inFlight]), grace]);
      this.abandon.abort();
    }
    await super.close();
  }

  private runConsumer(consumer: Consumer): Promise<void> {
    return consumer.run({
      ...this.options.run,
      // Offsets move only when the transport commits them, after the handler has finished.
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.track(this.handleBatch(payload)),
    });
  }

  private scheduleRestart(consumer: Consumer, error: Error): void {
    this.restarts += 1;
    const retryInMs = backoffDelay(this.restarts, this.batches.retry.baseMs, this.batches.retry.capMs);
    const reason = `${error.name}: ${error.message}`;
    for (const observer of this.observers) observer.restarting?.(reason, this.restarts, retryInMs);
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      if (this.isClosing) return;
      consumer
        .connect()
        .then(() => this.runConsumer(consumer))
        .catch((failure: Error) => this.scheduleRestart(consumer, failure));
    }, retryInMs);
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { topic, partition } = payload.batch;
    const handler = this.handlerOf(topic);
    let lostGroup: unknown;
    const heartbeat = async () => {
      if (this.abandon.signal.aborted) throw new BatchAbandonedError('the consumer is shutting down');
      try {
        await payload.heartbeat();
      } catch (error) {
        lostGroup = error;
        throw error;
      }
    };
    let messages = await this.commitLeftovers(payload);
    while (messages.length > 0) {
      // Once closing or no longer this member's, the rest is fetched again, here or by the next owner.
      if (this.isClosing || !payload.isRunning() || payload.isStale()) return;
      const chunk = messages.slice(0, this.batches.maxBatchSize);
      messages = messages.slice(chunk.length);
      const { attempt, since } = this.triesOf(topic, partition, chunk[0].offset);
      const last = chunk[chunk.length - 1].offset;
      const commit = { groupId: this.groupId, offset: nextOffset(last), committed: false };
      const context = new KafkaBatchContext([topic, partition, chunk, attempt, heartbeat, commit]);
      const outcome = await this.run(handler, chunk, context);
      // The heartbeat said this member lost the group: kafkajs must hear it to rejoin at once.
      if (lostGroup) throw lostGroup as Error;
      if (outcome === 'abandoned') return;
      if ('wait' in outcome) return this.holdBack(payload, chunk[0].offset, attempt, since, outcome.wait);
      this.release(topic, partition);
      const report = { topic, partition, records: chunk.length, result: outcome.result, since };
      if (!commit.committed) await this.commit(payload, last, report);
      payload.resolveOffset(last);
      this.committed(report);
      await payload.heartbeat();
    }
  }

  /**
   * Runs the Nest pipeline for one batch: what it emitted, what it was waiting for if it could not
   * finish, or 'abandoned' when the consumer shut down first (the batch's work is left unobserved).
   */
  private async run(
    handler: MessageHandler,
    messages: KafkaMessage[],
    context: KafkaBatchContext,
  ): Promise<{ result: unknown } | { wait: BatchWait } | 'abandoned'> {
    const { signal } = this.abandon;
    let onAbort = () => {};
    const abandoned = new Promise<'abandoned'>((resolve) => {
      onAbort = () => resolve('abandoned');
      if (signal.aborted) onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
    });
    // Inside Nest's processing hooks, as Nest's own transports run a handler: whatever is
    // registered there (a request context, a tracing span) covers the batch.
    const runHandler = async (): Promise<unknown> => {
      try {
        return await lastValueFrom(this.transformToObservable(await handler(messages, context)), {
          defaultValue: undefined,
        });
      } finally {
        this.onProcessingEndHook?.(this.transportId, context);
      }
    };
    const work = (async () => {
      try {
        // The hook's type promises nothing back: the batch is done when the handler is.
        const result = await new Promise<unknown>((resolve, reject) => {
          const started: unknown = this.onProcessingStartHook(this.transportId, context, () => {
            const handled = runHandler();
            handled.then(resolve, reject);
            return handled;
          });
          Promise.resolve(started).catch(reject);
        });
        return { result };
      } catch (error) {
        // Not a RetryBatchException: a bug outside the dead-letter interceptor's reach. Holding the
        // batch back keeps its records; committing past them would lose them.
        return { wait: batchWaitOf(error) ?? { dependency: 'handler', reason: describe(error) } };
      }
    })();
    try {
      return await Promise.race([work, abandoned]);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Commits `lastOffset` + 1 through the batch's own commit, which hands the broker's error to
   * kafkajs as it is (consumer.commitOffsets would wrap a refusal so kafkajs neither rejoins nor
   * restarts). A refused commit is not a failed batch: its rows and dead letters are durable, so
   * the offset is remembered and committed before anything else if this member keeps the partition.
   */
  private async commit(payload: EachBatchPayload, lastOffset: string, report: BatchReport): Promise<void> {
    const { topic, partition } = payload.batch;
    const offset = nextOffset(lastOffset);
    try {
      await payload.commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition, offset }] }] });
    } catch (error) {
      this.uncommitted.set(partitionKey(topic, partition), { offset, report });
      throw error;
    }
  }

  /** Skips (and commits) records finished before a refused commit; returns the records still to do. */
  private async commitLeftovers(payload: EachBatchPayload): Promise<KafkaMessage[]> {
    const { topic, partition, messages } = payload.batch;
    const key = partitionKey(topic, partition);
    const leftover = this.uncommitted.get(key);
    if (leftover === undefined) return messages;
    this.uncommitted.delete(key);
    const done = BigInt(leftover.offset);
    const rest = messages.filter((message) => BigInt(message.offset) >= done);
    if (rest.length < messages.length) {
      await this.commit(payload, (done - 1n).toString(), leftover.report);
      payload.resolveOffset((done - 1n).toString());
      this.committed(leftover.report);
    }
    return rest;
  }

  private holdBack(
    payload: EachBatchPayload,
    firstOffset: string,
    attempt: number,
    since: number,
    wait: BatchWait,
  ): void {
    const { topic, partition } = payload.batch;
    const resume = payload.pause();
    const retryInMs = backoffDelay(attempt, this.batches.retry.baseMs, this.batches.retry.capMs);
    const key = partitionKey(topic, partition);
    clearTimeout(this.held.get(key)?.timer);
    // Nothing was resolved, so kafkajs fetches the partition again from this batch's first record.
    const timer = setTimeout(resume, retryInMs);
    this.held.set(key, { firstOffset, attempts: attempt, since, timer });
    for (const observer of this.observers)
      observer.holding?.(topic, partition, { ...wait, attempt, retryInMs });
  }

  private release(topic: string, partition: number): void {
    const key = partitionKey(topic, partition);
    if (!this.held.delete(key)) return;
    for (const observer of this.observers) observer.released?.(topic, partition);
  }

  /**
   * Tells the observers a batch is committed. The batch is done whatever they do: an observer's
   * failure (a metric that throws) is logged, never allowed to run the batch again.
   */
  private committed({ since, ...report }: BatchReport): void {
    const batch: CommittedBatch = { ...report, durationMs: performance.now() - since };
    for (const observer of this.observers) {
      try {
        observer.committed?.(batch);
      } catch (error) {
        this.logger.error(`an observer of committed batches failed: ${describe(error)}`);
      }
    }
  }

  /** Which try of its batch this is, and when the first began: the same first offset means the same batch. */
  private triesOf(topic: string, partition: number, firstOffset: string): { attempt: number; since: number } {
    const held = this.held.get(partitionKey(topic, partition));
    return held?.firstOffset === firstOffset
      ? { attempt: held.attempts + 1, since: held.since }
      : { attempt: 1, since: performance.now() };
  }

  private topicOf(pattern: string): string {
    return this.batches.topics[pattern] ?? pattern;
  }

  private handlerOf(topic: string): MessageHandler {
    const pattern = [...this.messageHandlers.keys()].find((p) => this.topicOf(p) === topic);
    const handler = pattern === undefined ? null : this.getHandlerByPattern(pattern);
    if (!handler) throw new Error(`no @EventPattern handler for topic ${topic}`);
    return handler;
  }

  private async track(work: Promise<void>): Promise<void> {
    this.inFlight.add(work);
    try {
      await work;
    } finally {
      this.inFlight.delete(work);
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : JSON.stringify(error);
}
