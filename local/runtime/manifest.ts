import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { EntityDefinition, parseEntityDefinitions } from '../kvs/entity_schema';

/**
 * manifest.yml as the local runtime needs it: which function each module runs,
 * and where its handler lives. A handler is `<module>.<export>` with exactly one
 * dot, the module path relative to `src/`, as Forge's bundler resolves it.
 */

export interface FunctionModule {
  key: string;
  handler: string;
  timeoutSeconds?: number;
}

export interface AppManifest {
  appRoot: string;
  functions: Map<string, FunctionModule>;
  scheduledTriggers: Array<{ key: string; function: string; interval: string }>;
  triggers: Array<{ key: string; function: string; events: string[] }>;
  /** Async event consumers: the queue each listens on and the function it runs. */
  consumers: Array<{ key: string; queue: string; function: string }>;
  /** Modules with a `resolver: { function }` (e.g. jira:adminPage). */
  resolvers: Array<{ moduleType: string; key: string; function: string }>;
  runtimeName: string;
  scopes: string[];
  /** `app.storage.entities`: the Custom Entity Store's entities, by name. */
  entities: Map<string, EntityDefinition>;
}

type Raw = Record<string, unknown>;

export function loadManifest(appRoot: string): AppManifest {
  const raw = parse(readFileSync(path.join(appRoot, 'manifest.yml'), 'utf8')) as Raw;
  const modules = (raw.modules ?? {}) as Record<string, Raw[]>;
  const functions = new Map<string, FunctionModule>();
  for (const f of modules.function ?? []) {
    functions.set(String(f.key), {
      key: String(f.key),
      handler: String(f.handler),
      timeoutSeconds: typeof f.timeoutSeconds === 'number' ? f.timeoutSeconds : undefined,
    });
  }
  const resolvers: AppManifest['resolvers'] = [];
  for (const [moduleType, list] of Object.entries(modules)) {
    for (const m of list ?? []) {
      const fn = (m.resolver as Raw | undefined)?.function;
      if (typeof fn === 'string') resolvers.push({ moduleType, key: String(m.key), function: fn });
    }
  }
  const app = (raw.app ?? {}) as Raw;
  return {
    appRoot,
    functions,
    scheduledTriggers: (modules.scheduledTrigger ?? []).map((t) => ({
      key: String(t.key),
      function: String(t.function),
      interval: String(t.interval),
    })),
    triggers: (modules.trigger ?? []).map((t) => ({
      key: String(t.key),
      function: String(t.function),
      events: (t.events as string[]) ?? [],
    })),
    consumers: (modules.consumer ?? []).map((c) => ({
      key: String(c.key),
      queue: String(c.queue),
      function: String(c.function),
    })),
    resolvers,
    runtimeName: typeof (app.runtime as Raw | undefined)?.name === 'string' ? String((app.runtime as Raw).name) : '',
    scopes: (((raw.permissions ?? {}) as Raw).scopes as string[]) ?? [],
    entities: parseEntityDefinitions(((app.storage ?? {}) as Raw).entities),
  };
}

export const INTERVAL_MS: Record<string, number> = {
  fiveMinute: 5 * 60_000,
  hour: 60 * 60_000,
  day: 24 * 60 * 60_000,
  week: 7 * 24 * 60 * 60_000,
};

/** Forge's default function timeout when `timeoutSeconds` is not set. */
export const DEFAULT_TIMEOUT_SECONDS = 55;

/** The limit on a UI module's resolver call (FORGE_FACTS §5), whatever its function's timeout. */
export const RESOLVER_TIMEOUT_SECONDS = 25;

/** Resolve `scheduler_entry.phase5SchedulerHandler` to the exported function in src/scheduler_entry.ts. */
export function resolveHandler(manifest: AppManifest, functionKey: string): (...args: unknown[]) => unknown {
  const fn = manifest.functions.get(functionKey);
  if (!fn) throw new Error(`manifest.yml has no function module "${functionKey}"`);
  const parts = fn.handler.split('.');
  if (parts.length !== 2 || !parts[0] || !parts[1]) {
    throw new Error(`Handler "${fn.handler}" must be <module>.<export> with exactly one dot`);
  }
  const [file, exported] = parts;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path.join(manifest.appRoot, 'src', file)) as Record<string, unknown>;
  const handler = mod[exported];
  if (typeof handler !== 'function') {
    throw new Error(`Handler "${fn.handler}": src/${file} does not export a function "${exported}"`);
  }
  return handler as (...args: unknown[]) => unknown;
}
