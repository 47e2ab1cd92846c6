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

function compile(target: unknown): Check {
  const storage = getMetadataStorage();
  const rules = storage.getTargetValidationMetadatas(target as new () => object, '', true, false);
  // forbidUnknownValues: an object of a class without rules is not a valid value.
  if (rules.length === 0) return (_object, path) => [`${path || 'value'}: unknownValue`];
  const checks = Object.entries(storage.groupByPropertyName(rules)).map(([property, metadata]): Check => {
    const of = (type: string) => metadata.filter((m) => m.type === type);
    const conditions = of(ValidationTypes.CONDITIONAL_VALIDATION).map(
      (m) => m.constraints[0] as (object: object, value: unknown) => boolean,
    );
    const constraints = [...of(ValidationTypes.IS_DEFINED), ...of(ValidationTypes.CUSTOM_VALIDATION)].flatMap(
      (m) =>
        storage
          .getTargetValidatorConstraints(m.constraintCls)
          .map((c) => ({ rule: m, name: c.name, instance: c.instance })),
    );
    const nested = of(ValidationTypes.NESTED_VALIDATION).length > 0;
    return (object, parent) => {
      const value = (object as Record<string, unknown>)[property];
      if (!conditions.every((applies) => applies(object, value))) return NONE; // e.g. @IsOptional and absent
      const path = parent ? `${parent}.${property}` : property;
      let broken = NONE;
      for (const { rule, name, instance } of constraints) {
        const args: ValidationArguments = {
          targetName: (object.constructor as { name?: string }).name ?? '',
          property,
          object,
          value,
          constraints: rule.constraints,
        };
        const valid = (v: unknown) => {
          try {
            return instance.validate(v, args) === true; // a promise is not a yes
          } catch {
            return false; // validator.js throws on some malformed text (isEmail on a lone surrogate)
          }
        };
        if (rule.each && Array.isArray(value) ? !value.every(valid) : !valid(value)) {
          broken = [...broken, `${path}: ${name}`];
        }
      }
      if (!nested || value === undefined) return broken;
      const element = (v: unknown, at: string) =>
        typeof v === 'object' && v !== null ? brokenRules(v, at) : [`${at}: nestedValidation`];
      const inside = Array.isArray(value)
        ? value.flatMap((v, i) => element(v, `${path}.${i}`))
        : element(value, path);
      return inside.length === 0 ? broken : [...broken, ...inside];
    };
  });
  return (object, path) => {
    let broken = NONE;
    for (const check of checks) {
      const found = check(object, path);
      if (found.length > 0) broken = [...broken, ...found];
    }
    return broken;
  };
}
