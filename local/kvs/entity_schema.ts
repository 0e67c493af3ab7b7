/**
 * Custom entities as the manifest declares them (`app.storage.entities`), and the
 * checks the Custom Entity Store applies to what is stored in them. Forge
 * "strictly enforces attribute types" (storage-reference/entities-manifest): a
 * value of the wrong type, or an empty string, is refused. Pure functions only.
 */
import { INVENTED_CODES } from './invented_codes';
import { isRecord } from './validation';
import { Violation, badRequest } from './violation';

export type AttributeType = 'string' | 'integer' | 'float' | 'boolean' | 'any';

export interface EntityIndex {
  name: string;
  /** Exact-match attributes, in the order a query's `partition` values name them. */
  partition: readonly string[];
  /** The one attribute `where` conditions and sorting apply to; `null` for the built-in `by-key` index. */
  range: string | null;
}

export interface EntityDefinition {
  name: string;
  attributes: Readonly<Record<string, AttributeType>>;
  indexes: readonly EntityIndex[];
}

/** Entity definitions by name. */
export type EntityDefinitions = ReadonlyMap<string, EntityDefinition>;

export const BY_KEY_INDEX = 'by-key';
const ATTRIBUTE_TYPES: ReadonlySet<string> = new Set(['string', 'integer', 'float', 'boolean', 'any']);
/** The manifest schema's patterns (@forge/manifest 13.7.0). */
const ENTITY_NAME = /^(?![_.-])(?!.*\.{2})[a-z0-9:\-_.]*(?<![.])$/;
const ATTRIBUTE_NAME = /^[a-zA-Z][a-zA-Z0-9_]*$/;

/**
 * `app.storage.entities` of a parsed manifest. Throws on a declaration Forge's
 * manifest validation would refuse, so a local world never runs with entities
 * production would not have.
 */
export function parseEntityDefinitions(raw: unknown): Map<string, EntityDefinition> {
  const out = new Map<string, EntityDefinition>();
  if (raw === undefined) return out;
  if (!Array.isArray(raw)) throw new Error('app.storage.entities must be a list');
  for (const e of raw) {
    if (!isRecord(e) || typeof e.name !== 'string' || !ENTITY_NAME.test(e.name) || e.name.length < 3) {
      throw new Error(`Not a valid entity declaration: ${JSON.stringify(e)}`);
    }
    if (out.has(e.name)) throw new Error(`Entity ${e.name} is declared twice`);
    if (!isRecord(e.attributes)) throw new Error(`Entity ${e.name} declares no attributes`);
    const attributes: Record<string, AttributeType> = {};
    for (const [attr, spec] of Object.entries(e.attributes)) {
      const type = isRecord(spec) ? spec.type : undefined;
      if (!ATTRIBUTE_NAME.test(attr) || typeof type !== 'string' || !ATTRIBUTE_TYPES.has(type)) {
        throw new Error(`Entity ${e.name}: attribute ${attr} is not declared as one of the attribute types`);
      }
      attributes[attr] = type as AttributeType;
    }
    const indexes: EntityIndex[] = [{ name: BY_KEY_INDEX, partition: [], range: null }];
    for (const ix of (e.indexes as unknown[] | undefined) ?? []) {
      const index: EntityIndex =
        typeof ix === 'string'
          ? { name: ix, partition: [], range: ix }
          : isRecord(ix) && typeof ix.name === 'string' && Array.isArray(ix.range) && ix.range.length === 1
            ? { name: ix.name, partition: (ix.partition as string[] | undefined) ?? [], range: String(ix.range[0]) }
            : (() => {
                throw new Error(`Entity ${e.name}: not a valid index ${JSON.stringify(ix)}`);
              })();
      for (const attr of [...index.partition, index.range!]) {
        if (attributes[attr] === undefined || attributes[attr] === 'any') {
          throw new Error(`Entity ${e.name}: index ${index.name} names ${attr}, which is not a typed attribute`);
        }
      }
      if (indexes.some((i) => i.name === index.name)) throw new Error(`Entity ${e.name}: index ${index.name} twice`);
      indexes.push(index);
    }
    out.set(e.name, { name: e.name, attributes, indexes });
  }
  return out;
}

/** The declared entity a request names, or why it cannot name one. */
export function entityNamed(definitions: EntityDefinitions, name: unknown): EntityDefinition | Violation {
  if (typeof name !== 'string') return badRequest('entityName must be a string');
  if (name.length < 3)
    return new Violation(400, 'ENTITY_TYPE_TOO_SHORT', 'The provided key needs to be more than 3 characters');
  if (name.length > 60) {
    return new Violation(400, 'ENTITY_TYPE_TOO_LARGE', 'The provided key has exceeded the maximum 60 characters');
  }
  if (!ENTITY_NAME.test(name)) {
    return new Violation(400, 'INVALID_ENTITY_TYPE', `The provided key does not match the regex: ${ENTITY_NAME}`);
  }
  const definition = definitions.get(name);
  if (definition === undefined) {
    return new Violation(
      400,
      INVENTED_CODES.ENTITY_NOT_DECLARED,
      `No custom entity "${name}" is declared in manifest.yml (app.storage.entities)`,
    );
  }
  return definition;
}

const INT32 = { min: -2_147_483_648, max: 2_147_483_647 };
const FLOAT_MIN = 1e-130;
const FLOAT_MAX = 9.9999999999999999999999999999999999999e125;

/** Whether `value` is a legal value of an attribute of `type` (storage-reference/entities-manifest, "Values"). */
export function fitsType(type: AttributeType, value: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string' && value.trim().length > 0;
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) && value >= INT32.min && value <= INT32.max;
    case 'float': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return false;
      const abs = Math.abs(value);
      return abs === 0 || (abs >= FLOAT_MIN && abs <= FLOAT_MAX);
    }
    case 'boolean':
      return typeof value === 'boolean';
    case 'any':
      return value !== null && value !== undefined;
  }
}

/**
 * A value stored as an entity: an object whose every attribute is declared and of
 * its declared type. Attributes may be left out (an entity need not have them all).
 */
export function checkEntityValue(definition: EntityDefinition, value: unknown): Violation | undefined {
  if (!isRecord(value)) {
    return new Violation(400, 'INVALID_ENTITY_VALUE', `An ${definition.name} entity must be an object`);
  }
  for (const [attr, v] of Object.entries(value)) {
    const type = definition.attributes[attr];
    if (type === undefined) {
      return new Violation(400, 'INVALID_ENTITY_VALUE', `Attribute ${attr} is not declared on ${definition.name}`);
    }
    if (!fitsType(type, v)) {
      return new Violation(
        400,
        'INVALID_ENTITY_VALUE',
        `Attribute ${attr} of ${definition.name} must be of type ${type}, got ${JSON.stringify(v)}`,
      );
    }
  }
  return undefined;
}
