export const ORDERS_KAFKA_CLIENT = Symbol('ORDERS_KAFKA_CLIENT');

/** How often the schedule wakes up to emit the orders due since its last tick. */
export const TICK_MS = 100;
export const PROGRESS_EVERY_MS = 5_000;
/** How long shutdown waits for the batch in flight to be acknowledged before abandoning it. */
export const SHUTDOWN_GRACE_MS = 5_000;
/** Most orders in one send: kafkajs's work per send grows faster than its size (grouping by partition). */
export const SEND_MAX_RECORDS = 1_000;
/** Most bytes in one send, under the broker's default max.message.bytes (1 MiB) whatever the topic allows. */
export const SEND_MAX_BYTES = 1_000_000;
/**
 * Most bytes of orders waiting to be sent; past it the schedule makes no more until the broker
 * catches up. Two sends' worth keeps the next send ready while one is in flight, and keeps orders
 * short-lived in memory (the image's young generation is 4 MiB a half).
 */
export const BACKLOG_MAX_BYTES = 2 * SEND_MAX_BYTES;
