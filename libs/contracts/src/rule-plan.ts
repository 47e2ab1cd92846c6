import { getMetadataStorage, ValidationArguments, ValidationTypes } from 'class-validator';

type Check = (object: object) => boolean;

const plans = new Map<unknown, Check>();

/**
 * True when `object` breaks none of the class-validator rules declared on its class (and on the
 * objects nested in it), as validateSync with forbidUnknownValues would decide.
 *
 * class-validator looks its metadata up and regroups it on every call, for the order and again for
 * each item: that bookkeeping, not the rules, was most of its cost. The rules of a class never
 * change after start-up, so this reads them once into a plan and runs the same constraint
 * functions. It only answers yes or no: for a record it rejects, validateSync runs and writes the
 * messages, so the decorators stay the one definition of the contract.
 */
export function passesRules(object: object): boolean {
  return planFor(object.constructor)(object);
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
  if (rules.length === 0) return () => false;
  const checks = Object.entries(storage.groupByPropertyName(rules)).map(([property, metadata]): Check => {
    const of = (type: string) => metadata.filter((m) => m.type === type);
    const conditions = of(ValidationTypes.CONDITIONAL_VALIDATION).map(
      (m) => m.constraints[0] as (object: object, value: unknown) => boolean,
    );
    const constraints = [...of(ValidationTypes.IS_DEFINED), ...of(ValidationTypes.CUSTOM_VALIDATION)].flatMap(
      (m) =>
        storage
          .getTargetValidatorConstraints(m.constraintCls)
          .map((c) => ({ rule: m, instance: c.instance })),
    );
    const nested = of(ValidationTypes.NESTED_VALIDATION).length > 0;
    return (object) => {
      const value = (object as Record<string, unknown>)[property];
      if (!conditions.every((applies) => applies(object, value))) return true; // e.g. @IsOptional and absent
      for (const { rule, instance } of constraints) {
        const args: ValidationArguments = {
          targetName: (object.constructor as { name?: string }).name ?? '',
          property,
          object,
          value,
          constraints: rule.constraints,
        };
        const valid = (v: unknown) => instance.validate(v, args) === true; // a promise is not a yes
        if (rule.each && Array.isArray(value) ? !value.every(valid) : !valid(value)) return false;
      }
      if (!nested || value === undefined) return true;
      const element = (v: unknown) => typeof v === 'object' && v !== null && passesRules(v);
      return Array.isArray(value) ? value.every(element) : element(value);
    };
  });
  return (object) => checks.every((check) => check(object));
}
