/**
 * Words of the app's insides that an admin should never have to read: the
 * scheduler's mechanics, storage and platform terms, and the codes the app
 * uses between its parts. A test that renders what an admin reads fails on
 * any of them (English or German page alike: these would be English leaks).
 */
export const INTERNAL_TERMS: ReadonlyArray<[string, RegExp]> = [
  ['backoff', /\bback(?:ing)?[ -]?off\b|\bbackoffs?\b/i],
  ['wake-up', /\bwake[ -]?ups?\b|\bwake-up event\b/i],
  ['KVS', /\bKVS\b|\bkey[- ]value store\b/i],
  ['epoch', /\bepochs?\b|\bEpoche\b/i],
  ['claim', /\bclaims?\b|\bclaimed\b/i],
  ['lifecycle', /\blifecycle\b/i],
  ['invocation', /\binvocations?\b|\binvoke\b/i],
  ['resolver', /\bresolvers?\b/i],
  ['scheduler', /\bscheduler\b/i],
  ['trigger', /\btriggers?\b/i],
  ['DONE key', /\bDONE key\b/],
  ['storage key', /\bphase5:|\bphase4:/],
  ['Phase 4/5', /\bPhase[- ]?[45]\b/i],
  ['error code', /\b[A-Z][A-Z0-9]+(?:_[A-Z0-9]+)+\b/],
  ['bytes', /\b\d+ bytes\b/i],
  ['source admin', /\bsource admin\b/i],
  ['TTL', /\bTTL\b/],
  ['asApp', /\basApp\b|\basUser\b/],
  ['batchGet', /\bbatch ?get\b/i],
  ['FAIL_IF_EXISTS', /FAIL_IF_EXISTS/],
  ['run id', /\brun id\b/i],
  ['attempt number', /attempt #\d/i],
];

/** The internal terms `text` contains, each with the words around it. */
export function internalTermsIn(text: string): string[] {
  return INTERNAL_TERMS.flatMap(([name, pattern]) => {
    const m = pattern.exec(text);
    return m ? [`${name}: …${text.slice(Math.max(0, m.index - 40), m.index + m[0].length + 40)}…`] : [];
  });
}
