import { placeholdersOf, pluralKey, wordParts, wordsText, Wording } from '../../src/frontend/word_parts';

/** How the page fills a translation: placeholders, plurals, numbers and instants in the viewer's locale. */

const TABLE: Record<string, string> = {
  greet: 'Hello {name}, {n} new',
  'tries.one': 'One attempt failed',
  'tries.other': '{count} attempts failed',
  due: 'Due {at}.',
  outer: 'It failed: {cause}.',
  inner: 'Jira answered {status}',
};

function wording(locale = 'en-US', missing: string[] = []): Wording {
  return {
    lookup: (k) => TABLE[k] ?? null,
    viewer: { locale, timeZone: 'Europe/Berlin' },
    now: '2026-11-02T21:00:00.000Z',
    onMissing: (what) => missing.push(what),
  };
}

describe('words made into what the page shows', () => {
  it('fills each placeholder, writing numbers in the viewer’s locale', () => {
    expect(wordsText({ key: 'greet' as never, params: { name: 'Avery', n: 12345 } }, wording('de-DE'))).toBe(
      'Hello Avery, 12.345 new',
    );
  });

  it('picks the plural form the language’s rules name, for a `count` parameter', () => {
    expect(wordsText({ key: 'tries' as never, params: { count: 1 } }, wording())).toBe('One attempt failed');
    expect(wordsText({ key: 'tries' as never, params: { count: 3 } }, wording())).toBe('3 attempts failed');
    expect(pluralKey('tries', 1, 'de-DE')).toBe('tries.one');
    expect(pluralKey('tries', 0, 'en-US')).toBe('tries.other');
  });

  it('keeps instants apart for the page to show as times, and writes them in the viewer’s zone as text', () => {
    const w = { key: 'due' as never, params: { at: { at: '2026-11-02T21:30:00.000Z', relative: true } } };

    expect(wordParts(w, wording())).toEqual([
      { text: 'Due ' },
      { at: '2026-11-02T21:30:00.000Z', relative: true },
      { text: '.' },
    ]);
    expect(wordsText(w, wording('de-DE')).replace(/\s/g, ' ')).toBe('Due 02.11.2026, 22:30 MEZ (in 30 Minuten).');
  });

  it('nests words in words', () => {
    const w = {
      key: 'outer' as never,
      params: { cause: { words: { key: 'inner' as never, params: { status: '503' } } } },
    };

    expect(wordsText(w, wording())).toBe('It failed: Jira answered 503.');
  });

  it('says what it could not fill: a key no language has, a placeholder with no value', () => {
    const missing: string[] = [];

    expect(wordsText({ key: 'nowhere' as never }, wording('en-US', missing))).toBe('nowhere');
    expect(wordsText({ key: 'greet' as never, params: { n: 1 } }, wording('en-US', missing))).toBe(
      'Hello {name}, 1 new',
    );
    expect(missing).toEqual(['translation nowhere', 'parameter {name} of greet']);
  });

  it('names a translation’s placeholders, once each', () => {
    expect(placeholdersOf('{b} and {a}, then {b} again')).toEqual(['a', 'b']);
  });
});
