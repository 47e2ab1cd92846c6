export * from './kafka-client.options';
export * from './kafka-topics.module';
export * from './topic-provisioner.service';
export * from './topic-specs';
export * from './observed-server-kafka';
export * from './kafka-log-creator';
