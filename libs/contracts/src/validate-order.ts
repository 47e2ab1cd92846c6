import { plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';
import { OrderDto } from './order.dto';

export type OrderValidation = { valid: true; order: OrderDto } | { valid: false; errors: string[] };

/**
 * Validates a decoded JSON value against the order contract. Each error names the field path and
 * the rule it broke (e.g. "items.0.quantity: quantity must be an integer number").
 */
export function validateOrder(value: unknown): OrderValidation {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { valid: false, errors: ['order must be a JSON object'] };
  }
  const order = plainToInstance(OrderDto, value, { enableImplicitConversion: false });
  const errors = validateSync(order, {
    whitelist: true,
    forbidUnknownValues: true,
    validationError: { target: false },
  });
  return errors.length === 0 ? { valid: true, order } : { valid: false, errors: flatten(errors) };
}

function flatten(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => `${path}: ${message}`);
    return [...own, ...flatten(error.children ?? [], path)];
  });
}
