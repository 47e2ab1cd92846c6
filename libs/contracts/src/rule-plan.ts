import { getMetadataStorage, ValidationArguments, ValidationTypes } from 'class-validator';
import { PROVEN_PASSES, ProvenPass } from './proven-passes';

/** The rules an object breaks, each as "path: rule" (e.g. "items.0.price: isMoneyAmount"). */
export type Check = (object: object, path?: string) => string[];

type Class = new () => object;

const NONE: string[] = [];
const plans = new Map<unknown, Check>();

/**
 * The class-validator rules that `object` breaks (none when it is valid), as validateSync with
 * forbidUnknownValues would decide, except that a rule whose validator throws counts as broken.
 *
 * class-validator looks its metadata up and regroups it on every call, for the order and again for
 * each item: that bookkeeping, not the rules, was most of its cost. The rules of a class never
 * change after start-up, so this reads them once into a plan and runs the same constraint
 * functions (skipping a costly one where a cheap test proves it passes: proven-passes.ts). For a
 * record it rejects, validateSync writes the messages, so the decorators stay the one definition of
 * the contract.
 */
export function brokenRules(object: object, path = ''): string[] {
  return planFor(object.constructor)(object, path);
}

/**
 * The rules of `target` as a check of any object, an instance or not: a value straight from
 * JSON.parse is checked where it stands, without first being copied into instances. The plain
 * objects in a nested array are checked by the rules of their class in `nested` (what a
 * class-transformer @Type would say); anything else nested, by the rules of its own class.
 */
export function rulesOf(target: Class, nested: Record<string, Class> = {}): Check {
  return compile(target, nested);
}

function planFor(target: unknown): Check {
  let plan = plans.get(target);
  if (!plan) {
    plan = compile(target, {});
    plans.set(target, plan);
  }
  return plan;
}

type Condition = (object: object, value: unknown) => boolean;

interface Constraint {
  name: string;
  each: boolean;
  constraints: unknown[];
  instance: { validate(value: unknown, args: ValidationArguments): unknown };
  provenPass?: ProvenPass;
}

function compile(target: unknown, nestedClasses: Record<string, Class>): Check {
  const storage = getMetadataStorage();
  const rules = storage.getTargetValidationMetadatas(target as new () => object, '', true, false);
  // forbidUnknownValues: an object of a class without rules is not a valid value.
  if (rules.length === 0) return (_object, path) => [`${path || 'value'}: unknownValue`];
  const checks = Object.entries(storage.groupByPropertyName(rules)).map(([property, metadata]) => {
    const of = (type: string) => metadata.filter((m) => m.type === type);
    const conditions = of(ValidationTypes.CONDITIONAL_VALIDATION).map((m) => m.constraints[0] as Condition);
    const constraints: Constraint[] = [
      ...of(ValidationTypes.IS_DEFINED),
      ...of(ValidationTypes.CUSTOM_VALIDATION),
    ].flatMap((m) =>
      storage.getTargetValidatorConstraints(m.constraintCls).map((c) => ({
        name: c.name,
        each: m.each,
        constraints: m.constraints,
        instance: c.instance,
        provenPass: PROVEN_PASSES[c.name],
      })),
    );
    const nested = of(ValidationTypes.NESTED_VALIDATION).length > 0;
    const nestedClass = nestedClasses[property];
    return { property, conditions, constraints, nested, nestedPlan: nestedClass && planFor(nestedClass) };
  });
  const targetName = (target as { name?: string }).name ?? '';
  // Runs for every order and every item: plain loops, and nothing allocated unless a rule is broken.
  return (object, parent = '') => {
    let broken = NONE;
    // One arguments object per check, not per property: the validators read it and keep nothing.
    const args: ValidationArguments = { targetName, property: '', object, value: undefined, constraints: [] };
    for (const { property, conditions, constraints, nested, nestedPlan } of checks) {
      const value = (object as Record<string, unknown>)[property];
      if (!allApply(conditions, object, value)) continue; // e.g. @IsOptional and absent
      args.property = property;
      args.value = value;
      for (const constraint of constraints) {
        args.constraints = constraint.constraints;
        const valid =
          constraint.each && Array.isArray(value)
            ? everyPasses(constraint, value, args)
            : passes(constraint, value, args);
        if (!valid) broken = [...broken, `${pathOf(parent, property)}: ${constraint.name}`];
      }
      if (!nested || value === undefined) continue;
      if (!Array.isArray(value)) {
        broken = withNested(broken, value, pathOf(parent, property));
        continue;
      }
      for (let i = 0; i < value.length; i += 1)
        broken = withNested(broken, value[i], `${pathOf(parent, property)}.${i}`, nestedPlan);
    }
    return broken;
  };
}

function allApply(conditions: Condition[], object: object, value: unknown): boolean {
  for (const applies of conditions) if (!applies(object, value)) return false;
  return true;
}

function everyPasses(constraint: Constraint, values: unknown[], args: ValidationArguments): boolean {
  for (const value of values) if (!passes(constraint, value, args)) return false;
  return true;
}

function pathOf(parent: string, property: string): string {
  return parent ? `${parent}.${property}` : property;
}

function passes(constraint: Constraint, value: unknown, args: ValidationArguments): boolean {
  if (constraint.provenPass?.(value, constraint.constraints)) return true;
  try {
    return constraint.instance.validate(value, args) === true; // a promise is not a yes
  } catch {
    return false; // validator.js throws on some malformed text (isEmail on a lone surrogate)
  }
}

function withNested(broken: string[], value: unknown, path: string, plan?: Check): string[] {
  if (typeof value !== 'object' || value === null) return [...broken, `${path}: nestedValidation`];
  const plain = Object.getPrototypeOf(value) === Object.prototype;
  const inside = plan && plain ? plan(value, path) : brokenRules(value, path);
  return inside.length === 0 ? broken : [...broken, ...inside];
}
