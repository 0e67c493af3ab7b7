import en from '../../../locales/en-US.json';
import de from '../../../locales/de-DE.json';
import type { Words } from '../../../src/admin/contract';
import { wordsText } from '../../../src/frontend/word_parts';

/**
 * What the admin reads: the resolver's words written out as the page writes
 * them, in English or German, in UTC, counted from the view's clock. Tests
 * compare these sentences, so a test says what an admin would see.
 */

const LANGUAGES = { 'en-US': en as Record<string, string>, 'de-DE': de as Record<string, string> };

export function isWords(v: unknown): v is Words {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  return typeof (v as Words).key === 'string' && keys.every((k) => k === 'key' || k === 'params');
}

/** One sentence; fails the test on a key or placeholder the translations do not have. */
export function say(w: Words, now: string, locale: keyof typeof LANGUAGES = 'en-US'): string {
  const missing: string[] = [];
  const text = wordsText(w, {
    lookup: (k) => LANGUAGES[locale][k] ?? null,
    viewer: { locale, timeZone: 'UTC' },
    now,
    onMissing: (what) => missing.push(what),
  });
  if (missing.length > 0) throw new Error(`Missing ${missing.join(', ')}`);
  return text;
}

/** `T` with every Words in it as the sentence it says. */
export type English<T> = T extends Words
  ? string
  : T extends Array<infer U>
    ? Array<English<U>>
    : T extends object
      ? { [K in keyof T]: English<T[K]> }
      : T;

/** A copy of `value` with every Words in it written out in English. */
export function inEnglish<T>(value: T, now: string): English<T> {
  const walk = (v: unknown): unknown => {
    if (isWords(v)) return say(v, now);
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as English<T>;
}
