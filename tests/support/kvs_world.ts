import { ManualClock } from '../../local/clock';
import { KvsEmulator } from '../../local/kvs';

/**
 * The storage module, loaded afresh, over the local KVS emulator, with a hook that
 * can answer (or fail) any request in its place. For tests of what the module does
 * with answers the emulator would never give on its own.
 *
 * `override` sees each request's path and parsed body; it answers with a Response,
 * throws to stand for a transport failure, or returns undefined to let the emulator
 * answer. `sent` records every request, its path without the `/api/v1/` prefix.
 * The module remembers the accepted page size for the container's life, which is
 * why each world loads it afresh.
 */

const NS = 'installation-1';
/** An answer of our own for a request (`undefined`: the emulator answers it); a promise of one may do work first. */
export type Reply = (path: string, body: unknown) => Response | Promise<Response> | undefined;
type Store = typeof import('../../src/storage/kvs_store');
type Errors = typeof import('../../src/errors');

export function kvsWorld(override?: Reply) {
  const kvs = new KvsEmulator({ clock: new ManualClock(Date.parse('2026-11-02T09:00:00Z')) });
  const sent: Array<{ path: string; body: Record<string, unknown> }> = [];
  const g = globalThis as Record<string, unknown>;
  const previous = g.__forge_fetch__;
  g.__forge_fetch__ = async (_d: unknown, path: string, init: { body?: string }) => {
    const body = JSON.parse(init.body ?? 'null');
    sent.push({ path: path.replace('/api/v1/', ''), body });
    return override?.(path, body) ?? kvs.handle(NS, path, init);
  };
  const put = async (key: string, value: unknown) => {
    await kvs.handle(NS, '/api/v1/set', { body: JSON.stringify({ key, value }) });
  };
  let store: Store | undefined;
  let errors: Errors | undefined;
  jest.isolateModules(() => {
    store = jest.requireActual<Store>('../../src/storage/kvs_store');
    errors = jest.requireActual<Errors>('../../src/errors');
  });
  const dispose = () => {
    g.__forge_fetch__ = previous;
    kvs.close();
  };
  return {
    store: store as Store,
    ReadError: (errors as Errors).StorageReadError,
    WriteError: (errors as Errors).StorageWriteError,
    sent,
    put,
    dispose,
  };
}
