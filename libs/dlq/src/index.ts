export * from './classify-error';
export * from './message-errors';
