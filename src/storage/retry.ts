/**
 * In-invocation retries. A refused request whose outcome is known (nothing changed)
 * is tried again after each pause in turn: three more tries within about 1.3 s, so a
 * refusal that lasts a second or less costs no invocation, and at one request in five
 * refused a read still fails only once in 625 (issue 25: an invocation lost to storage
 * waits minutes for the next look). A longer outage still fails the request in about
 * 1.3 s, far inside any function's timeout. `pause` waits in real time; the local
 * runtime, whose clock is simulated, swaps in one that takes none while it runs an
 * invocation (local/runtime/forge_runtime.ts), as it swaps `Date.now`.
 */
export const RETRY = {
  pausesMs: [50, 250, 1000] as readonly number[],
  pause: (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms)),
};
