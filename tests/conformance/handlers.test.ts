import { APP_ROOT } from '../../local/runtime/invoker';
import { loadManifest, resolveHandler } from '../../local/runtime/manifest';
import { FunctionModuleInfo, functionModules, validateManifest } from '../../local/forge_toolchain/manifest_check';

/**
 * Every function the manifest declares, whatever modules are added later, is
 * something Forge can call: its `handler` names an export of a file in src/,
 * and that export takes the arguments Forge passes to the modules that use it.
 * A mistake here passes tsc and unit tests and only shows once deployed, as an
 * invocation error on every run.
 */

// @forge/manifest compiles its schema on first use: seconds on a busy CI machine.
jest.setTimeout(60_000);

let fns: FunctionModuleInfo[];

beforeAll(async () => {
  const { manifest } = await validateManifest(APP_ROOT);
  fns = functionModules(manifest!);
});

function handlerOf(fn: FunctionModuleInfo): (...args: unknown[]) => unknown {
  return resolveHandler(loadManifest(APP_ROOT), fn.key);
}

describe('function modules in manifest.yml', () => {
  it('are declared', () => {
    expect(fns.length).toBeGreaterThan(0);
  });

  it('are each used by at least one module', () => {
    const unused = fns.filter((f) => f.usedBy.length === 0).map((f) => f.key);

    expect(unused).toEqual([]);
  });

  it('each serve one kind of caller (a resolver receives other arguments than a trigger)', () => {
    const mixed = fns.filter((f) => new Set(f.usedBy.map((u) => u.role === 'resolver')).size > 1).map((f) => f.key);

    expect(mixed).toEqual([]);
  });

  it('each name `<module>.<export>` resolving to an exported function in src/', () => {
    for (const fn of fns) {
      expect({ fn: fn.key, handler: typeof handlerOf(fn) }).toEqual({ fn: fn.key, handler: 'function' });
    }
  });

  it('take (request, context) when a scheduled trigger, product/lifecycle event or async-event consumer runs them', () => {
    const triggered = fns.filter((f) =>
      f.usedBy.some((u) => u.role === 'scheduledTrigger' || u.role === 'event' || u.role === 'consumer'),
    );

    for (const fn of triggered) {
      // Forge passes the payload first and the invocation context (installContext, principal) second.
      expect({ fn: fn.key, parameters: handlerOf(fn).length }).toEqual({ fn: fn.key, parameters: 2 });
    }
  });

  it('are @forge/resolver definitions when a UI module uses them as its resolver', async () => {
    const resolvers = fns.filter((f) => f.usedBy.some((u) => u.role === 'resolver'));

    for (const fn of resolvers) {
      const handler = handlerOf(fn);
      expect({ fn: fn.key, parameters: handler.length }).toEqual({ fn: fn.key, parameters: 2 });
      // What Resolver.getDefinitions() returns dispatches on `call.functionKey` and
      // names a key it does not define; nothing else answers this way, and the
      // unknown key is refused before any resolver code (or storage) runs.
      const call = { call: { functionKey: '__conformance_probe__', payload: {} }, context: {} };
      await expect(Promise.resolve(handler(call, {}))).rejects.toThrow(
        "Resolver has no definition for '__conformance_probe__'.",
      );
    }
  });
});
