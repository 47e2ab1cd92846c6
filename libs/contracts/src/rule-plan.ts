import { getMetadataStorage, ValidationArguments, ValidationTypes } from 'class-validator';

/** The rules an object breaks, each as "path: rule" (e.g. "items.0.price: isMoneyAmount"). */
type Check = (object: object, path: string) => string[];

const NONE: string[] = [];
const plans = new Map<unknown, Check>();

/**
 * The class-validator rules that `object` breaks (none when it is valid), as validateSync with
 * forbidUnknownValues would decide, except that a rule whose validator throws counts as broken.
 *
 * class-validator looks its metadata up and regroups it on every call, for the order and again for
 * each item: that bookkeeping, not the rules, was most of its cost. The rules of a class never
 * change after start-up, so this reads them once into a plan and runs the same constraint
 * functions. For a record it rejects, validateSync writes the messages, so the decorators stay the
 * one definition of the contract.
 */
export function brokenRules(object: object, path = ''): string[] {
  return planFor(object.constructor)(object, path);
}

function planFor(target: unknown): Check {
  let plan = plans.get(target);
  if (!plan) {
    plan = compile(target);
    plans.set(target, plan);
  }
  return plan;
}

interface Constraint {
  name: string;
  each: boolean;
  constraints: unknown[];
  instance: { validate(value: unknown, args: ValidationArguments): unknown };
}

function compile(target: unknown): Check {
  const storage = getMetadataStorage();
  const rules = storage.getTargetValidationMetadatas(target as new () => object, '', true, false);
  // forbidUnknownValues: an object of a class without rules is not a valid value.
  if (rules.length === 0) return (_object, path) => [`${path || 'value'}: unknownValue`];
  const checks = Object.entries(storage.groupByPropertyName(rules)).map(([property, metadata]) => {
    const of = (type: string) => metadata.filter((m) => m.type === type);
    const conditions = of(ValidationTypes.CONDITIONAL_VALIDATION).map(
      (m) => m.constraints[0] as (object: object, value: unknown) => boolean,
    );
    const constraints: Constraint[] = [
      ...of(ValidationTypes.IS_DEFINED),
      ...of(ValidationTypes.CUSTOM_VALIDATION),
    ].flatMap((m) =>
      storage
        .getTargetValidatorConstraints(m.constraintCls)
        .map((c) => ({ name: c.name, each: m.each, constraints: m.constraints, instance: c.instance })),
    );
    const nested = of(ValidationTypes.NESTED_VALIDATION).length > 0;
    return { property, conditions, constraints, nested };
  });
  // Runs for every order and every item: plain loops, and nothing allocated unless a rule is broken.
  return (object, parent) => {
    let broken = NONE;
    const targetName = (object.constructor as { name?: string }).name ?? '';
    for (const { property, conditions, constraints, nested } of checks) {
      const value = (object as Record<string, unknown>)[property];
      if (conditions.some((applies) => !applies(object, value))) continue; // e.g. @IsOptional and absent
      const args: ValidationArguments = { targetName, property, object, value, constraints: [] };
      for (const constraint of constraints) {
        args.constraints = constraint.constraints;
        const valid =
          constraint.each && Array.isArray(value)
            ? value.every((element) => passes(constraint, element, args))
            : passes(constraint, value, args);
        if (!valid) broken = [...broken, `${pathOf(parent, property)}: ${constraint.name}`];
      }
      if (!nested || value === undefined) continue;
      if (!Array.isArray(value)) {
        broken = withNested(broken, value, pathOf(parent, property));
        continue;
      }
      for (let i = 0; i < value.length; i += 1)
        broken = withNested(broken, value[i], `${pathOf(parent, property)}.${i}`);
    }
    return broken;
  };
}

function pathOf(parent: string, property: string): string {
  return parent ? `${parent}.${property}` : property;
}

function passes(constraint: Constraint, value: unknown, args: ValidationArguments): boolean {
  try {
    return constraint.instance.validate(value, args) === true; // a promise is not a yes
  } catch {
    return false; // validator.js throws on some malformed text (isEmail on a lone surrogate)
  }
}

function withNested(broken: string[], value: unknown, path: string): string[] {
  if (typeof value !== 'object' || value === null) return [...broken, `${path}: nestedValidation`];
  const inside = brokenRules(value, path);
  return inside.length === 0 ? broken : [...broken, ...inside];
}
