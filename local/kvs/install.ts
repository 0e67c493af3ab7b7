/**
 * How @forge/kvs 1.6.5 reaches its transport (node_modules/@forge/kvs/out/index.js):
 *
 * - At module load it calls getFetchClient() once. That freezes only the *shape* of each
 *   call: if global.__forge_runtime__.kvs.{url,host} are set it sends descriptor
 *   { type: 'kvs' } plus Authorization/Host/trace headers ("Mode B"); otherwise it sends
 *   { type: 'kvs', provider: 'app', remote: 'kvs' } ("Mode A").
 * - The returned closure dereferences global.__forge_fetch__ on every call.
 *
 * So a normal top-of-file `import { kvs } from '@forge/kvs'` works with a fetch installed
 * later, and swapping it between tests is enough; no module reset is needed. Both modes
 * carry type 'kvs', so routing on that field covers either.
 */
import { KvsEmulator, KvsRequestInit } from './emulator';

type ForgeFetch = (descriptor: unknown, path: string, init?: KvsRequestInit) => Promise<Response>;
type ForgeGlobal = typeof globalThis & { __forge_fetch__?: ForgeFetch };

const isKvsDescriptor = (d: unknown): boolean =>
  typeof d === 'object' && d !== null && (d as { type?: unknown }).type === 'kvs';

/**
 * Points global.__forge_fetch__ at the emulator for one installation's namespace. Any
 * non-KVS call fails loudly, since a test using this helper should not reach other APIs.
 * Returns a function that restores whatever transport was there before.
 */
export function installKvsOnly(emulator: KvsEmulator, namespace: string): () => void {
  const g = globalThis as ForgeGlobal;
  const hadPrevious = Object.prototype.hasOwnProperty.call(g, '__forge_fetch__');
  const previous = g.__forge_fetch__;
  const kvsOnly: ForgeFetch = async (descriptor, path, init) => {
    if (!isKvsDescriptor(descriptor)) {
      throw new Error(`installKvsOnly routes only KVS calls, got descriptor ${JSON.stringify(descriptor)} for ${path}`);
    }
    return emulator.handle(namespace, path, init ?? {});
  };
  g.__forge_fetch__ = kvsOnly;
  return () => {
    // Only undo our own installation; a transport installed after ours stays in place.
    if (g.__forge_fetch__ !== kvsOnly) return;
    if (hadPrevious) g.__forge_fetch__ = previous;
    else delete g.__forge_fetch__;
  };
}
