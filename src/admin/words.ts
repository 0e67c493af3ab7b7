import type { AutoTriggerName, WordKey, WordParam, Words } from './contract';

/**
 * The resolver's side of the page's words: a key and its parameters, checked
 * against the English translations by the type checker. Shared with the page
 * (no Forge or Node imports).
 */
export function words(key: WordKey, params?: Record<string, WordParam>): Words {
  return params === undefined ? { key } : { key, params };
}

/** An instant as a parameter: the page writes it in the viewer's zone and language. */
export function at(iso: string, relative = false): WordParam {
  return relative ? { at: iso, relative: true } : { at: iso };
}

/** The name of a scheduled report, as a phrase to nest in a sentence ("the 24-hour report"). */
export function reportName(trigger: AutoTriggerName): WordParam {
  return { words: words(trigger === 'AUTO_12H' ? 'report.name.AUTO_12H' : 'report.name.AUTO_24H') };
}

/** Every key in `w`, nested ones included: what a test checks the translations for. */
export function keysIn(w: Words): WordKey[] {
  const nested = Object.values(w.params ?? {}).flatMap((p) =>
    typeof p === 'object' && 'words' in p ? keysIn(p.words) : [],
  );
  return [w.key, ...nested];
}
