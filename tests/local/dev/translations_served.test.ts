import { readFileSync } from 'node:fs';
import path from 'node:path';
import { TranslationsGetter, Translator } from '@forge/i18n';
import { translationBundle } from '../../../local/dev/dev_server';
import { APP_ROOT } from '../../../local/runtime/invoker';

/**
 * `npm run dev` serves the page's translations as `forge deploy` ships them
 * beside the page (`__LOCALES__/`, made by the Forge CLI's own bundling
 * service), and @forge/i18n, which @forge/bridge's i18n reads them with,
 * finds the viewer's language there, or falls back to English.
 */

jest.setTimeout(30_000);

const MANIFEST = readFileSync(path.join(APP_ROOT, 'manifest.yml'), 'utf8');

describe('the translations beside the page', () => {
  let files: Map<string, Buffer>;
  beforeAll(async () => {
    files = await translationBundle(MANIFEST);
  });

  const json = (name: string) => JSON.parse(files.get(name)!.toString('utf8')) as Record<string, unknown>;

  it('are each language’s file as written, and the info file naming the languages and the fallback', () => {
    expect([...files.keys()].sort()).toEqual(['de-DE.json', 'en-US.json', 'i18n-info.json']);
    expect(json('de-DE.json')).toEqual(JSON.parse(readFileSync(path.join(APP_ROOT, 'locales/de-DE.json'), 'utf8')));
    expect(json('i18n-info.json')).toEqual({
      translations: { 'adminPage.title': { 'de-DE': 'Site-Berichte', 'en-US': 'Site reports' } },
      config: { locales: ['de-DE', 'en-US'], fallback: { default: 'en-US' } },
    });
  });

  it.each([
    ['de-DE', 'Handlung erforderlich'],
    ['en-US', 'Action needed'],
    // A language the app does not ship: English, the fallback.
    ['fr-FR', 'Action needed'],
  ])('are read by Forge’s own translator for %s', async (locale, expected) => {
    const getter = new TranslationsGetter({
      getI18nInfoConfig: async () => json('i18n-info.json').config as never,
      getTranslationResource: async (l: string) => json(`${l}.json`) as never,
    });
    const translator = new Translator(locale as never, getter);
    await translator.init();

    expect(translator.translate('health.level.action')).toBe(expected);
  });
});
