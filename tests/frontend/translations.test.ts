import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import en from '../../locales/en-US.json';
import de from '../../locales/de-DE.json';
import { APP_ROOT } from '../../local/runtime/invoker';
import { placeholdersOf } from '../../src/frontend/word_parts';
import { internalTermsIn } from '../support/internal_terms';

/**
 * The page's words ship with the app as Forge translations (manifest.yml
 * `translations`): English complete, German complete. A key missing from a
 * language, a placeholder a translation forgets, a word of the app's insides,
 * or a key the code asks for that no file has, each fails here.
 */

const LANGUAGES = { 'en-US': en as Record<string, string>, 'de-DE': de as Record<string, string> };
const PLURAL_FORMS = /\.(zero|one|two|few|many|other)$/;

/** Every key the page and the resolver ask for, as written in their source. */
function keysInSource(): Set<string> {
  const found = new Set<string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.tsx?$/.test(name)) {
        const source = readFileSync(full, 'utf8');
        // Keys are written out whole wherever they are asked for: every quoted dotted word is one.
        for (const m of source.matchAll(/['"]([a-z][a-zA-Z0-9]*(?:\.[a-zA-Z0-9_]+)+)['"]/g)) {
          // Design tokens look like keys (color.text.danger, space.100); they are not words.
          if (!/^(color|space|elevation|font|radius)\./.test(m[1])) found.add(m[1]);
        }
      }
    }
  };
  walk(path.join(APP_ROOT, 'src', 'admin'));
  walk(path.join(APP_ROOT, 'src', 'frontend'));
  return found;
}

/** What a key asked for with a `count` is looked up as. */
const asked = (key: string, table: Record<string, string>) =>
  key in table ? [key] : Object.keys(table).filter((k) => k.replace(PLURAL_FORMS, '') === key && k !== key);

describe('the translations shipped with the app', () => {
  it('are the ones manifest.yml names, with English as the fallback', () => {
    const manifest = parse(readFileSync(path.join(APP_ROOT, 'manifest.yml'), 'utf8')) as {
      translations: { resources: Array<{ key: string; path: string }>; fallback: { default: string } };
    };

    expect(manifest.translations).toEqual({
      resources: [
        { key: 'en-US', path: 'locales/en-US.json' },
        { key: 'de-DE', path: 'locales/de-DE.json' },
      ],
      fallback: { default: 'en-US' },
    });
  });

  it('German has every key English has, and no other', () => {
    const english = Object.keys(en).sort();
    const german = Object.keys(de).sort();

    expect(english.filter((k) => !german.includes(k))).toEqual([]);
    expect(german.filter((k) => !english.includes(k))).toEqual([]);
  });

  it.each(Object.keys(en))('%s has the same placeholders in German as in English', (key) => {
    expect(placeholdersOf(LANGUAGES['de-DE'][key])).toEqual(placeholdersOf(LANGUAGES['en-US'][key]));
  });

  it.each(Object.entries(LANGUAGES))('%s: no text is empty, none says a word of the app’s insides', (_, table) => {
    const problems = Object.entries(table).flatMap(([key, text]) =>
      text.trim() === '' ? [`${key}: empty`] : internalTermsIn(text).map((t) => `${key}: ${t}`),
    );

    expect(problems).toEqual([]);
  });

  it.each(Object.entries(LANGUAGES))('%s: a plural has every form the language needs', (locale, table) => {
    // A plural is a key English writes in both forms (`x.one`, `x.other`); `purpose.other` alone is a word.
    const bases = new Set(
      Object.keys(en)
        .filter((k) => k.endsWith('.one') && `${k.slice(0, -4)}.other` in en)
        .map((k) => k.slice(0, -4)),
    );
    const forms = new Intl.PluralRules(locale).resolvedOptions().pluralCategories;
    const missing = [...bases].flatMap((base) =>
      forms.filter((f) => !(`${base}.${f}` in table)).map((f) => `${base}.${f}`),
    );

    expect(missing).toEqual([]);
  });

  it('every key the code asks for is there, and every key there is asked for', () => {
    const used = keysInSource();
    // The page's title in Jira's menu is the manifest's, not the code's.
    used.add('adminPage.title');

    // The report's words are asked for without their `reportView.` prefix (src/frontend/report_words.ts).
    const known = (k: string) =>
      asked(k, LANGUAGES['en-US']).length > 0 || asked(`reportView.${k}`, LANGUAGES['en-US']).length > 0;
    const missing = [...used].filter((k) => !known(k));
    // The report builds some keys from its data (`title.${kind}`), so only the page's own are held to being used.
    const unused = Object.keys(en).filter(
      (k) => !k.startsWith('reportView.') && !used.has(k) && !used.has(k.replace(PLURAL_FORMS, '')),
    );

    expect(used.size).toBeGreaterThan(150);
    expect(missing).toEqual([]);
    expect(unused).toEqual([]);
  });
});
