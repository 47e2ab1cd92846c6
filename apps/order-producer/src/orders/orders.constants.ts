export const ORDERS_KAFKA_CLIENT = Symbol('ORDERS_KAFKA_CLIENT');

/** How often the schedule wakes up to emit the orders due since its last tick. */
export const TICK_MS = 100;
export const PROGRESS_EVERY_MS = 5_000;
/** How long shutdown waits for the batch in flight to be acknowledged before abandoning it. */
export const SHUTDOWN_GRACE_MS = 5_000;
