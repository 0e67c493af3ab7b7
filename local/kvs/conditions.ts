/**
 * Conditions on custom entity attributes, in @forge/kvs 1.6.5's wire format
 * (`out/utils/transaction-request-builder.js`, `out/conditions.js`): a filter is
 * `{ and: [...] }` or `{ or: [...] }`, each item `{ property, condition, values }`.
 * The same shape serves a query's `filters` and a transaction's `conditions`
 * (storage-reference/entities-transactions: "the same as filters for custom
 * entity querying"). Parsing is strict, with the documented error codes; evaluation
 * is pure.
 */
import type { ConditionOnAbsentEntity } from '../platform_variants';
import { AttributeType, EntityDefinition, fitsType } from './entity_schema';
import { isRecord } from './validation';
import { Violation } from './violation';

export type ConditionName =
  | 'BEGINS_WITH'
  | 'BETWEEN'
  | 'EQUAL_TO'
  | 'NOT_EQUAL_TO'
  | 'GREATER_THAN'
  | 'GREATER_THAN_EQUAL_TO'
  | 'LESS_THAN'
  | 'LESS_THAN_EQUAL_TO'
  | 'CONTAINS'
  | 'NOT_CONTAINS'
  | 'EXISTS'
  | 'NOT_EXISTS';

export interface Condition {
  property: string;
  condition: ConditionName;
  values: readonly unknown[];
}

export interface Filter {
  operator: 'and' | 'or';
  items: readonly Condition[];
}

/** Which types each condition applies to (storage-reference/entities-api-query, "Conditions"). */
const APPLIES_TO: Readonly<Record<ConditionName, readonly AttributeType[]>> = {
  BEGINS_WITH: ['string'],
  BETWEEN: ['string', 'integer', 'float'],
  EQUAL_TO: ['string', 'integer', 'float', 'boolean'],
  NOT_EQUAL_TO: ['string', 'integer', 'float', 'boolean'],
  GREATER_THAN: ['string', 'integer', 'float'],
  GREATER_THAN_EQUAL_TO: ['string', 'integer', 'float'],
  LESS_THAN: ['string', 'integer', 'float'],
  LESS_THAN_EQUAL_TO: ['string', 'integer', 'float'],
  CONTAINS: ['string'],
  NOT_CONTAINS: ['string'],
  EXISTS: ['string', 'integer', 'float', 'boolean'],
  NOT_EXISTS: ['string', 'integer', 'float', 'boolean'],
};

/** The conditions a query's `where` (its index range) accepts. */
export const RANGE_CONDITIONS: ReadonlySet<ConditionName> = new Set([
  'BEGINS_WITH',
  'BETWEEN',
  'EQUAL_TO',
  'GREATER_THAN',
  'GREATER_THAN_EQUAL_TO',
  'LESS_THAN',
  'LESS_THAN_EQUAL_TO',
]);

const invalidCondition = (message: string) => new Violation(400, 'INVALID_FILTER_CONDITION', message);

/**
 * One `{ condition, values }` (with or without a `property`), checked against the
 * type of what it compares. `type` null stands for the entity key (a string).
 */
export function parseClause(raw: unknown, type: AttributeType | null, what: string): Condition | Violation {
  if (!isRecord(raw)) return invalidCondition(`${what}: a condition must be an object`);
  const name = raw.condition as ConditionName;
  const appliesTo = APPLIES_TO[name];
  if (typeof raw.condition !== 'string' || appliesTo === undefined) {
    return invalidCondition(`${what}: ${JSON.stringify(raw.condition)} is not a condition`);
  }
  const t: AttributeType = type ?? 'string';
  if (t === 'any') {
    return new Violation(422, 'INVALID_FILTER_CONDITION', `${what}: attributes of type any cannot be filtered on`);
  }
  if (!appliesTo.includes(t)) return invalidCondition(`${what}: ${name} does not apply to ${t} attributes`);
  const values = raw.values;
  if (!Array.isArray(values)) return new Violation(400, 'INVALID_FILTER_VALUES', `${what}: values must be a list`);
  const wanted = name === 'BETWEEN' ? 2 : 1;
  if (values.length < wanted) {
    return new Violation(400, 'INSUFFICIENT_FILTER_VALUES', `${what}: ${name} needs ${wanted} value(s)`);
  }
  if (values.length > wanted) return new Violation(400, 'INVALID_FILTER_VALUES', `${what}: too many values`);
  const existence = name === 'EXISTS' || name === 'NOT_EXISTS';
  const ok = existence ? values[0] === true : values.every((v) => fitsType(t, v));
  if (!ok) return new Violation(400, 'INVALID_FILTER_VALUES', `${what}: values do not fit a ${t} attribute`);
  return { property: typeof raw.property === 'string' ? raw.property : '', condition: name, values };
}

/** A filter (`{and|or: [...]}`) over a declared entity's typed attributes. */
export function parseFilter(raw: unknown, entity: EntityDefinition, what: string): Filter | Violation {
  if (!isRecord(raw)) return invalidCondition(`${what} must be an object with "and" or "or"`);
  const hasAnd = raw.and !== undefined;
  const hasOr = raw.or !== undefined;
  if (hasAnd && hasOr) {
    return new Violation(
      400,
      'INVALID_FILTER_OPERATORS_COMBINATION',
      'Filter operators "and" and "or" cannot be present at the same level',
    );
  }
  const operator = hasAnd ? 'and' : 'or';
  const list = raw[operator];
  if (!Array.isArray(list) || list.length === 0) {
    return new Violation(400, 'EMPTY_FILTER_OPERATOR', 'Filter operators "and" and "or" cannot be empty');
  }
  const items: Condition[] = [];
  for (const item of list) {
    const property = isRecord(item) ? item.property : undefined;
    if (typeof property !== 'string' || entity.attributes[property] === undefined) {
      return invalidCondition(`${what}: ${JSON.stringify(property)} is not an attribute of ${entity.name}`);
    }
    const parsed = parseClause(item, entity.attributes[property], `${what} on ${property}`);
    if (parsed instanceof Violation) return parsed;
    items.push(parsed);
  }
  return { operator, items };
}

function compare(a: unknown, b: unknown): number | null {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return null;
}

/** Whether a value (undefined: the attribute is absent) meets one clause. */
export function meets(value: unknown, c: Pick<Condition, 'condition' | 'values'>): boolean {
  const [first, second] = c.values;
  const cmp = (x: unknown) => compare(value, x);
  switch (c.condition) {
    case 'EXISTS':
      return value !== undefined;
    case 'NOT_EXISTS':
      return value === undefined;
    case 'EQUAL_TO':
      return value !== undefined && value === first;
    case 'NOT_EQUAL_TO':
      return value !== first;
    case 'BEGINS_WITH':
      return typeof value === 'string' && typeof first === 'string' && value.startsWith(first);
    case 'CONTAINS':
      return typeof value === 'string' && typeof first === 'string' && value.includes(first);
    case 'NOT_CONTAINS':
      return !(typeof value === 'string' && typeof first === 'string' && value.includes(first));
    case 'GREATER_THAN':
      return (cmp(first) ?? -1) > 0;
    case 'GREATER_THAN_EQUAL_TO':
      return (cmp(first) ?? -1) >= 0;
    case 'LESS_THAN':
      return (cmp(first) ?? 1) < 0;
    case 'LESS_THAN_EQUAL_TO':
      return (cmp(first) ?? 1) <= 0;
    case 'BETWEEN':
      return (cmp(first) ?? -1) >= 0 && (cmp(second) ?? 1) <= 0;
  }
}

/**
 * Whether a stored entity (undefined: there is none under the key) meets a filter.
 * What a condition on a key with no entity evaluates to is not documented; the
 * variant says: 'fails' (every condition is false) or 'noAttributes' (evaluated as
 * an entity that has no attributes, so NOT_EXISTS holds and EQUAL_TO does not).
 */
export function entityMeets(
  entity: Record<string, unknown> | undefined,
  filter: Filter,
  onAbsent: ConditionOnAbsentEntity,
): boolean {
  if (entity === undefined && onAbsent === 'fails') return false;
  const holds = (c: Condition) => meets(entity?.[c.property], c);
  return filter.operator === 'and' ? filter.items.every(holds) : filter.items.some(holds);
}
