export * from './classify-error';
export * from './dead-letter-record';
export * from './dead-letter.headers';
export * from './dead-letter.interceptor';
export * from './delivery-monitor';
export * from './message-errors';
export * from './dlq-replayer';
