export * from './order-generator';
export * from './order-id.factory';
