export * from './pipeline-controls';
export * from './view-server';
