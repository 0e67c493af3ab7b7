/**
 * The smallest runtime seam: points `global.__forge_fetch__`, which @forge/api
 * calls for every product request, at a Jira emulator. Enough for tests that
 * only talk to Jira; anything else (Confluence, remotes, KVS) throws so a test
 * notices an unexpected call. The full local runtime lives in local/runtime/.
 */
import type { JiraEmulator, JiraCallDescriptor, JiraRequestInit } from './emulator';

interface ForgeFetchDescriptor extends JiraCallDescriptor {
  type?: string;
  remote?: string;
}

type ForgeFetch = (descriptor: ForgeFetchDescriptor, path: string, init?: JiraRequestInit) => Promise<Response>;

/** Installs the emulator; returns a function that restores whatever was installed before. */
export function installJiraOnly(emulator: JiraEmulator): () => void {
  // Typed locally rather than with `declare global`, so this file cannot clash
  // with the declaration the full runtime seam makes.
  const host = globalThis as unknown as { __forge_fetch__?: ForgeFetch };
  const previous = host.__forge_fetch__;
  host.__forge_fetch__ = async (descriptor, path, init) => {
    if (descriptor?.type === 'fpp' && descriptor.remote === 'jira') return emulator.handle(descriptor, path, init);
    throw new Error(`installJiraOnly: no emulator for ${JSON.stringify(descriptor)} ${path}`);
  };
  return () => {
    if (previous === undefined) delete host.__forge_fetch__;
    else host.__forge_fetch__ = previous;
  };
}
