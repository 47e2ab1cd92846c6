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
 * catches up. One send's worth: the next send is made while one is in flight, and orders stay
 * short-lived in memory (the image's young generation is 4 MiB a half; measured: a 2 MB backlog
 * was ~5 % slower, spending the difference in the garbage collector).
 */
export const BACKLOG_MAX_BYTES = SEND_MAX_BYTES;
