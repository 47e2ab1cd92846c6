export * from './batch/kafka-batch.context';
export * from './batch/kafka-batch.server';
export * from './batch/retry-batch.exception';
export * from './kafka-client.options';
export * from './kafka-log-creator';
export * from './kafka-topics.module';
export * from './topic-provisioner.service';
export * from './topic-specs';
