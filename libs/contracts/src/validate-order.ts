import { getMetadataStorage, ValidationError, validateSync } from 'class-validator';
import { OrderEvent } from './order-event';
import { OrderItemDto } from './order-item.dto';
import { rulesOf } from './rule-plan';
import { MAX_ITEMS_PER_ORDER, OrderDto } from './order.dto';

/**
 * A valid order is the value that was checked, unknown fields and all: they are never read, and a
 * consumer takes only the contract's fields from it.
 */
export type OrderValidation = { valid: true; order: OrderEvent } | { valid: false; errors: string[] };

type Fields = readonly string[];

/** The fields a DTO class declares, read from its class-validator decorators: the contract has one source. */
function declaredFields(target: new () => object): Fields {
  const rules = getMetadataStorage().getTargetValidationMetadatas(target, '', true, false);
  return [...new Set(rules.map((rule) => rule.propertyName))];
}

const ORDER_FIELDS = declaredFields(OrderDto);
const ITEM_FIELDS = declaredFields(OrderItemDto);
const ORDER_FIELD_SET = new Set(ORDER_FIELDS);
const ITEM_FIELD_SET = new Set(ITEM_FIELDS);
/** OrderDto's rules, its items checked by OrderItemDto's: the one contract, applied to a parsed value. */
const checkOrder = rulesOf(OrderDto, { items: OrderItemDto });

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A DTO instance holding only the fields its class declares. Unknown fields are never visited, so
 * they cost nothing, however large or deep (newer producers may add anything).
 */
function instanceOf<T extends object>(
  target: new () => T,
  fields: Fields,
  value: Record<string, unknown>,
): T {
  const instance = new target() as Record<string, unknown>;
  for (const field of fields) if (field in value) instance[field] = value[field];
  return instance as T;
}

/**
 * Validates a decoded JSON value against the order contract. Each error names the field path and
 * the rule it broke (e.g. "items.0.quantity: quantity must be an integer number").
 */
export function validateOrder(value: unknown): OrderValidation {
  if (!isObject(value)) return { valid: false, errors: ['order must be a JSON object'] };
  // Checked where it stands: a copy into DTO instances cost objects for every order and item. Only
  // a record that fails is copied, for class-validator to word its messages. Far too many items
  // fail on their count, before each is looked at.
  const tooManyItems = Array.isArray(value.items) && value.items.length > MAX_ITEMS_PER_ORDER;
  const broken = tooManyItems ? ['items: arrayMaxSize'] : checkOrder(value);
  if (broken.length === 0) return { valid: true, order: value as unknown as OrderEvent };
  const order = toOrderDto(value);
  // class-validator writes the messages; should one of its validators throw, the rules named by the plan do.
  let errors: string[];
  try {
    errors = flatten(validateSync(order, { forbidUnknownValues: true, validationError: { target: false } }));
  } catch {
    errors = [];
  }
  return { valid: false, errors: errors.length > 0 ? errors : broken.map((rule) => `${rule} is not met`) };
}

/**
 * True when an order holds no field the contract does not declare, at its top level or in its
 * items: its JSON text then says nothing a consumer would have to drop.
 */
export function hasOnlyDeclaredFields(order: OrderEvent): boolean {
  for (const field in order) if (!ORDER_FIELD_SET.has(field)) return false;
  for (const item of order.items) for (const field in item) if (!ITEM_FIELD_SET.has(field)) return false;
  return true;
}

/** An OrderDto (with OrderItemDto items) holding the declared fields of a JSON object, unvalidated. */
export function toOrderDto(value: Record<string, unknown>): OrderDto {
  const order = instanceOf(OrderDto, ORDER_FIELDS, value);
  if (Array.isArray(order.items)) {
    // One item past the limit is enough to fail @ArrayMaxSize; a 256 KiB record could hold 80,000.
    order.items = order.items
      .slice(0, MAX_ITEMS_PER_ORDER + 1)
      .map((item: unknown) =>
        isObject(item) ? instanceOf(OrderItemDto, ITEM_FIELDS, item) : item,
      ) as OrderItemDto[];
  }
  return order;
}

function flatten(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => `${path}: ${message}`);
    return [...own, ...flatten(error.children ?? [], path)];
  });
}
