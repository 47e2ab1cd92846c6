export * from './app-logger';
export * from './backoff';
export * from './graceful-shutdown';
export * from './logging.module';
export * from './process-warnings';
export * from './listen';
export * from './metrics/metrics.module';
export * from './startup';
