import { RpcException } from '@nestjs/microservices';

/** What a batch waits for before it can be finished: a dependency, and why it is unusable now. */
export interface BatchWait {
  dependency: string;
  reason: string;
}

/**
 * Thrown from the handler pipeline when a batch cannot be finished now but can be later (the
 * database or the dead-letter topic is down). The transport then holds the partition back: it
 * pauses it, commits nothing, and delivers the same batch again after a backoff.
 *
 * An RpcException, as Nest expects of what a microservice handler throws on purpose; the
 * BatchExceptionFilter hands it (and any other error) to the transport as it is.
 */
export class RetryBatchException extends RpcException {
  constructor(dependency: string, reason: string) {
    super({ retryBatch: { dependency, reason } satisfies BatchWait });
  }
}

/** The wait a handler asked for, if `error` is what a RetryBatchException became on its way out. */
export function batchWaitOf(error: unknown): BatchWait | undefined {
  const payload = error instanceof RpcException ? error.getError() : error;
  const wait = (payload as { retryBatch?: BatchWait } | null)?.retryBatch;
  return wait && typeof wait.dependency === 'string' ? wait : undefined;
}
