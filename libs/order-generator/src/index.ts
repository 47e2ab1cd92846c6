export * from './order-generator';
export * from './order-id.factory';
export * from './lesson-records';
