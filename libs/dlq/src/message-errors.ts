/** Why a record cannot be processed however often it is retried. Sent as the x-dlq-reason header. */
export type PermanentReason = 'poison' | 'invalid' | 'conflicting-duplicate';

/** A record that will fail the same way on every delivery: retrying it would only block its partition. */
export abstract class PermanentMessageError extends Error {
  abstract readonly reason: PermanentReason;
  /** The order id, when the record got far enough to reveal one (for logs and correlation). */
  orderId?: string;

  withOrderId(orderId: string | undefined): this {
    this.orderId = orderId;
    return this;
  }
}

/** The value is not an order at all: empty, not UTF-8, not JSON, or JSON that is not an object. */
export class PoisonMessageError extends PermanentMessageError {
  readonly reason = 'poison';
  readonly name = 'PoisonMessageError';
}

/** A JSON object that breaks the order contract; `problems` name each field and rule. */
export class InvalidMessageError extends PermanentMessageError {
  readonly reason = 'invalid';
  readonly name = 'InvalidMessageError';

  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }
}

/** The same order_id was already stored with different content; the stored row wins. */
export class ConflictingDuplicateError extends PermanentMessageError {
  readonly reason = 'conflicting-duplicate';
  readonly name = 'ConflictingDuplicateError';
}
