import path from 'node:path';
import { validate, type ManifestSchema } from '@forge/manifest';

/**
 * manifest.yml checked the way `forge deploy` checks it before uploading: the
 * published @forge/manifest validator in full mode (schema, module references,
 * scopes), which runs offline.
 */

export interface ManifestFinding {
  level: string;
  message: string;
  line?: number;
  column?: number;
}

export interface ManifestCheck {
  success: boolean;
  errors: ManifestFinding[];
  /** The parsed manifest, when it could be read. */
  manifest: ManifestSchema | undefined;
}

/**
 * Runtimes Forge still deploys to. nodejs20.x is still in the schema but
 * deploys using it have been blocked progressively since May 2026, so the
 * schema alone would let an undeployable manifest through.
 */
export const DEPLOYABLE_RUNTIMES: readonly string[] = ['nodejs22.x', 'nodejs24.x'];

export async function validateManifest(appRoot: string): Promise<ManifestCheck> {
  const result = await validate(false, path.join(appRoot, 'manifest.yml'));
  return {
    success: result.success,
    errors: (result.errors ?? []).map((e) => ({ level: e.level, message: e.message, line: e.line, column: e.column })),
    manifest: result.manifestObject?.yamlContent as ManifestSchema | undefined,
  };
}

export type ModuleRole = 'scheduledTrigger' | 'event' | 'consumer' | 'resolver' | 'other';

export interface FunctionUse {
  moduleType: string;
  moduleKey: string;
  role: ModuleRole;
}

export interface FunctionModuleInfo {
  key: string;
  handler: string;
  timeoutSeconds?: number;
  memoryMB?: number;
  usedBy: FunctionUse[];
}

type Raw = Record<string, unknown>;

function isRecord(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function roleOf(moduleType: string): ModuleRole {
  if (moduleType === 'scheduledTrigger') return 'scheduledTrigger';
  if (moduleType === 'trigger') return 'event';
  if (moduleType === 'consumer') return 'consumer';
  return 'other';
}

/**
 * Every `function` module and the modules that run it, whatever kinds of
 * module the manifest declares: a module names its function either directly
 * (`function: key`, triggers) or as its resolver (`resolver: { function: key }`,
 * UI modules such as jira:adminPage).
 */
export function functionModules(manifest: ManifestSchema): FunctionModuleInfo[] {
  const modules = (manifest.modules ?? {}) as Record<string, unknown>;
  const functions = new Map<string, FunctionModuleInfo>();
  for (const f of (modules.function as unknown[] | undefined) ?? []) {
    if (!isRecord(f)) continue;
    const runtime = isRecord(f.runtime) ? f.runtime : {};
    functions.set(String(f.key), {
      key: String(f.key),
      handler: String(f.handler),
      timeoutSeconds: typeof f.timeoutSeconds === 'number' ? f.timeoutSeconds : undefined,
      memoryMB: typeof runtime.memoryMB === 'number' ? runtime.memoryMB : undefined,
      usedBy: [],
    });
  }
  for (const [moduleType, list] of Object.entries(modules)) {
    if (moduleType === 'function' || !Array.isArray(list)) continue;
    for (const m of list) {
      if (!isRecord(m)) continue;
      const uses: Array<[string, ModuleRole]> = [];
      if (typeof m.function === 'string') uses.push([m.function, roleOf(moduleType)]);
      if (isRecord(m.resolver) && typeof m.resolver.function === 'string') uses.push([m.resolver.function, 'resolver']);
      for (const [fnKey, role] of uses) {
        const fn = functions.get(fnKey);
        // A reference to an undeclared function is the validator's finding; nothing to attach it to here.
        fn?.usedBy.push({ moduleType, moduleKey: String(m.key), role });
      }
    }
  }
  return [...functions.values()];
}

/** One place the manifest lets the app send or fetch data off Atlassian's platform. */
export interface EgressEntry {
  /** Where in the manifest: `permissions.external.images`, `remotes`, … */
  kind: string;
  address: string;
  /** `analytics` for egress declared as analytics; the only kind Runs on Atlassian allows. */
  category?: string;
  /** Whether in-scope end-user data may leave with it (analytics egress must say false). */
  inScopeEUD?: boolean;
}

const EXTERNAL_KINDS = ['fetch.backend', 'fetch.client', 'images', 'media', 'scripts', 'styles', 'fonts', 'frames'];

/**
 * Every egress the manifest declares: each `permissions.external` list (an entry is an address,
 * or `{ address, category, inScopeEUD }`) and each remote's base URL.
 */
export function egressOf(manifest: ManifestSchema): EgressEntry[] {
  const raw = manifest as unknown as Raw;
  const external = isRecord(raw.permissions) && isRecord(raw.permissions.external) ? raw.permissions.external : {};
  const entries: EgressEntry[] = [];
  for (const kind of EXTERNAL_KINDS) {
    const list = kind.split('.').reduce<unknown>((v, k) => (isRecord(v) ? v[k] : undefined), external);
    for (const e of Array.isArray(list) ? (list as unknown[]) : []) {
      const entry: Raw = isRecord(e) ? e : { address: e };
      entries.push({
        kind: `permissions.external.${kind}`,
        address: String(entry.address),
        category: typeof entry.category === 'string' ? entry.category : undefined,
        inScopeEUD: typeof entry.inScopeEUD === 'boolean' ? entry.inScopeEUD : undefined,
      });
    }
  }
  for (const r of Array.isArray(raw.remotes) ? (raw.remotes as unknown[]) : []) {
    if (isRecord(r)) entries.push({ kind: 'remotes', address: String(r.baseUrl) });
  }
  return entries;
}

/**
 * Why the manifest would cost the app the Runs on Atlassian badge (FORGE_FACTS §7a), one line
 * each: any egress but analytics that keeps end-user data in, and any wildcard address, which
 * Government Cloud refuses outright. `npx forge eligibility` gives Atlassian's own verdict for a
 * deployed version (it needs a login); this is what can be known offline.
 */
export function runsOnAtlassianBlockers(manifest: ManifestSchema): string[] {
  return egressOf(manifest).flatMap((e) => [
    ...(e.address.includes('*') ? [`${e.kind}: ${e.address} is a wildcard address`] : []),
    ...(e.category?.toLowerCase() === 'analytics' && e.inScopeEUD === false
      ? []
      : [`${e.kind}: ${e.address} is egress other than analytics without end-user data`]),
  ]);
}
