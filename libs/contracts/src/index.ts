export * from './headers';
export * from './money';
export * from './order-event';
export * from './order-item.dto';
export * from './order-status';
export * from './order.dto';
export * from './topics';
export * from './validate-order';
