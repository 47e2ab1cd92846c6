export * from './consumer.config';
export * from './database.config';
export * from './env-reader';
export * from './http.config';
export * from './kafka.config';
export * from './log.config';
export * from './producer.config';
export * from './validate-config';
