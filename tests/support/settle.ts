/**
 * Settle `p` while running Jest's fake clock forward, one timer at a time: for code that
 * pauses on real timers (the storage module's retries), so a test takes no time and can
 * still assert when each request went out.
 */
export async function settle<T>(p: Promise<T>): Promise<{ value: T } | { error: unknown }> {
  let out: { value: T } | { error: unknown } | undefined;
  p.then(
    (value) => (out = { value }),
    (error: unknown) => (out = { error }),
  );
  for (let i = 0; out === undefined && i < 1000; i++) await jest.advanceTimersToNextTimerAsync();
  if (out === undefined) throw new Error('never settled');
  return out;
}
