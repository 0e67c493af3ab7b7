import type { WordParam, Words } from '../admin/contract';
import { formatLocalInstant, formatRelativeTime, Viewer } from './local_time';

/**
 * Words (a translation key and its parameters) made into what the page shows:
 * the translation's text with each `{name}` replaced, numbers written in the
 * viewer's locale and instants kept apart so the page can show them as times
 * in the viewer's zone. A key with a `count` parameter is a plural: its
 * translation is looked up as `key.one`, `key.other` (and whatever other forms
 * the language's plural rules name), falling back to `key.other`. Pure: the
 * page, the scenario tests and the translation checks all use this one.
 */

/** A translation by key, or null when none of the shipped languages has it. */
export type Lookup = (key: string) => string | null;

export type WordPart = { text: string } | { at: string; relative: boolean };

export interface Wording {
  lookup: Lookup;
  /** Numbers and dates are written in this viewer's locale and zone. */
  viewer: Viewer;
  /** The resolver's clock, which relative times count from. */
  now: string;
  /** Told of every key, or `{name}` in a translation, that could not be filled. */
  onMissing?: (what: string) => void;
}

const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9]*)\}/g;

/** The key a translation is looked up under, for this count in this language. */
export function pluralKey(key: string, count: number, locale: string): string {
  return `${key}.${new Intl.PluralRules(locale).select(count)}`;
}

function template(w: Words, wording: Wording): string | null {
  const count = w.params?.count;
  if (typeof count !== 'number') return wording.lookup(w.key);
  return wording.lookup(pluralKey(w.key, count, wording.viewer.locale)) ?? wording.lookup(`${w.key}.other`);
}

function paramParts(param: WordParam, wording: Wording): WordPart[] {
  if (typeof param === 'number') return [{ text: new Intl.NumberFormat(wording.viewer.locale).format(param) }];
  if (typeof param === 'string') return [{ text: param }];
  if ('words' in param) return wordParts(param.words, wording);
  return [{ at: param.at, relative: param.relative === true }];
}

export function wordParts(w: Words, wording: Wording): WordPart[] {
  const text = template(w, wording);
  if (text === null) {
    wording.onMissing?.(`translation ${w.key}`);
    return [{ text: w.key }];
  }
  const parts: WordPart[] = [];
  let last = 0;
  for (const m of text.matchAll(PLACEHOLDER)) {
    if (m.index > last) parts.push({ text: text.slice(last, m.index) });
    const param = w.params?.[m[1]];
    if (param === undefined) {
      wording.onMissing?.(`parameter {${m[1]}} of ${w.key}`);
      parts.push({ text: m[0] });
    } else {
      parts.push(...paramParts(param, wording));
    }
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}

/** An instant as text: `Nov 4, 2026, 11:30 AM EST`, and with `relative`, ` (in 23 hours)` after it. */
export function instantText(at: string, relative: boolean, wording: Wording): string {
  const when = formatLocalInstant(at, wording.viewer);
  return relative ? `${when} (${formatRelativeTime(at, wording.now, wording.viewer)})` : when;
}

/** The words as plain text (for a flag, a title, an accessible name, a test). */
export function wordsText(w: Words, wording: Wording): string {
  return wordParts(w, wording)
    .map((p) => ('text' in p ? p.text : instantText(p.at, p.relative, wording)))
    .join('');
}

/** The `{name}` placeholders of a translation, sorted: a translation must have the same ones as the English. */
export function placeholdersOf(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]))].sort();
}
