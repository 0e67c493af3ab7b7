import type { Lookup } from './word_parts';
import type { FigureKey } from './report_reading';

/**
 * Every word the report shows or writes (the view, the reports table, the CSV
 * file and the download names), keyed. The texts are the app's translations
 * (locales/*.json, under `reportView.`), in the viewer's language like the rest
 * of the page: `setReportWords` is given the page's translations once, before
 * the page first renders (the language is fixed for as long as the frame lives),
 * so the report's components and the CSV writer can stay plain functions.
 * `{name}` marks a parameter; numbers and dates arrive already formatted for the
 * viewer's locale. Keys ending in `.one` / `.other` are the plural forms
 * Intl.PluralRules picks between.
 */

type TranslationKey = keyof typeof import('../../locales/en-US.json');

export type ReportMessageKey = TranslationKey extends infer K
  ? K extends `reportView.${infer Key}`
    ? Key
    : never
  : never;

const PREFIX = 'reportView.';
let lookup: Lookup = () => null;

/** The page's translations, for the report's words: set once, before the page first renders. */
export function setReportWords(translations: Lookup): void {
  lookup = translations;
}

/** The report's text for `key`, or the key itself when no shipped language has it (reported, never hidden). */
function text(key: string): string {
  const found = lookup(PREFIX + key);
  if (found === null) console.error(`Missing translation ${PREFIX}${key}`);
  return found ?? key;
}

/** The text for `key`, with `{name}` parameters filled in. */
export function rt(key: ReportMessageKey, params: Record<string, string | number> = {}): string {
  return text(key).replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

type Plural<K> = K extends `${infer Base}.one` ? Base : never;

/** The plural form of `base` for `count` in `locale`, with the parameters filled in. */
export function rtCount(
  base: Plural<ReportMessageKey>,
  count: number,
  locale: string,
  params: Record<string, string | number> = {},
): string {
  const form = new Intl.PluralRules(locale).select(count) === 'one' ? 'one' : 'other';
  return rt(`${base}.${form}` as ReportMessageKey, params);
}

/** The message for a code that is part of a key (`reason.` + code), or the code itself when there is none. */
export function rtCode(prefix: string, code: unknown): string {
  const written = typeof code === 'string' || typeof code === 'number' ? String(code) : '';
  return lookup(`${PREFIX}${prefix}.${written}`) ?? written;
}

/**
 * The text for `key` as parts, with some parameters given as other values (React
 * nodes, say: an instant the page shows as a <time>) kept whole between them.
 */
export function rtParts<T>(
  key: ReportMessageKey,
  params: Record<string, string | number>,
  nodes: Record<string, T>,
): Array<string | T> {
  return text(key)
    .split(/\{(\w+)\}/)
    .map((part, i) =>
      i % 2 === 0 ? part : part in nodes ? nodes[part] : part in params ? String(params[part]) : `{${part}}`,
    )
    .filter((part) => part !== '');
}

/** The words naming each figure of a report, on the page and in its CSV alike. */
export const FIGURE_WORDS: Record<FigureKey, ReportMessageKey> = {
  projects: 'figure.projects',
  issues: 'figure.issues',
  issuesCreated: 'figure.issuesCreated',
  issuesUpdated: 'figure.issuesUpdated',
  customFields: 'figure.customFields',
  issueTypes: 'figure.issueTypes',
  statuses: 'figure.statuses',
};
