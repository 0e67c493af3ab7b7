import { i18n } from '@forge/bridge';
import type { Lookup } from './word_parts';

/**
 * The page's words in the viewer's language, through Forge's i18n for Custom
 * UI: the translations ship with the app (manifest.yml `translations`, files in
 * locales/), `forge deploy` puts them beside the page under `__LOCALES__/`, and
 * @forge/bridge reads them from there for the locale of the viewer's Jira
 * profile, falling back key by key to the default language (en-US).
 */

export interface Translations {
  /** The language the words are in: the viewer's, or the fallback when the app does not speak theirs. */
  locale: string;
  lookup: Lookup;
}

const ABSENT = '\u0000absent';

export async function loadTranslations(locale: string): Promise<Translations> {
  const [found, t] = await Promise.all([
    i18n.getTranslations(locale as Parameters<typeof i18n.getTranslations>[0]),
    i18n.createTranslationFunction(locale as Parameters<typeof i18n.createTranslationFunction>[0]),
  ]);
  return {
    locale: found.locale,
    lookup: (key) => {
      const text = t(key, ABSENT);
      return text === ABSENT ? null : text;
    },
  };
}

/**
 * The locale numbers and dates are written in: the viewer's own where the words are in their language
 * (en-GB dates with English words), else the words' (no German dates in an English sentence).
 */
export function formattingLocale(viewerLocale: string, wordsLocale: string): string {
  const language = (l: string) => l.split(/[-_]/)[0].toLowerCase();
  return language(viewerLocale) === language(wordsLocale) ? viewerLocale : wordsLocale;
}
