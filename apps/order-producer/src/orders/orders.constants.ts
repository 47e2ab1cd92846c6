export const ORDERS_KAFKA_CLIENT = Symbol('ORDERS_KAFKA_CLIENT');

/** How often the schedule wakes up to emit the orders due since its last tick. */
export const TICK_MS = 100;
export const PROGRESS_EVERY_MS = 5_000;
