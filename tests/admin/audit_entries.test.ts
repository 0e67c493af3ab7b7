import { auditEntryView, auditRecord } from '../../src/admin/audit_log';
import { keys } from '../../src/storage/keys';

/**
 * The admin page's audit log: one stored entry per action, kept for a year, and
 * shown as stored. An entry that does not say when, what and who is skipped
 * rather than shown half-guessed; the rest of a damaged entry is shown as far
 * as it can be read.
 */

const CLOUD = '3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f1a2b3c';
const AT = Date.parse('2026-11-02T21:00:00.250Z');
const KEY = keys.auditEntry(CLOUD, AT, 'a1b2c3');

const entry = {
  action: 'RESET_TRIGGER' as const,
  accountId: 'admin-1',
  trigger: 'AUTO_12H' as const,
  outcome: 'done' as const,
  detail: 'DONE key, 1 attempt(s) and 1 claim key(s) removed',
  words: { key: 'audit.reset' as const, params: { count: 1 } },
  changedKeys: ['k1', 'k2'],
};

describe('an audit entry as stored', () => {
  it("lies under the site's audit prefix in time order, says who did what when, and expires after a year", () => {
    const record = auditRecord(CLOUD, AT, entry);

    expect(record.key).toMatch(new RegExp(`^phase5:audit:${CLOUD}:20261102T210000\\.250Z-[0-9a-f]{6}$`));
    expect(record.value).toEqual({
      schema_version: 2,
      at: '2026-11-02T21:00:00.250Z',
      action: 'RESET_TRIGGER',
      account_id: 'admin-1',
      trigger: 'AUTO_12H',
      outcome: 'done',
      detail: 'DONE key, 1 attempt(s) and 1 claim key(s) removed',
      words: { key: 'audit.reset', params: { count: 1 } },
      changed_keys: ['k1', 'k2'],
    });
    expect(record.ttl).toEqual({ value: 365, unit: 'DAYS' });
  });

  it('names no trigger for an action that is not about one', () => {
    const { trigger: _none, ...withoutTrigger } = entry;

    expect(auditRecord(CLOUD, AT, { ...withoutTrigger, action: 'RECORD_INSTALLATION' }).value.trigger).toBeNull();
  });

  it('gets a key of its own even when two actions share a millisecond', () => {
    const keysMade = new Set(Array.from({ length: 20 }, () => auditRecord(CLOUD, AT, entry).key));

    expect(keysMade.size).toBe(20);
  });
});

describe('an audit entry on the page', () => {
  const stored = auditRecord(CLOUD, AT, entry).value;

  it('reads back what was stored', () => {
    expect(auditEntryView(KEY, JSON.parse(JSON.stringify(stored)))).toEqual({
      key: KEY,
      at: '2026-11-02T21:00:00.250Z',
      action: 'RESET_TRIGGER',
      accountId: 'admin-1',
      trigger: 'AUTO_12H',
      outcome: 'done',
      detail: 'DONE key, 1 attempt(s) and 1 claim key(s) removed',
      words: { key: 'audit.reset', params: { count: 1 } },
      changedKeys: ['k1', 'k2'],
    });
  });

  it('an entry stored before words existed keeps its stored words, and has none for the page to translate', () => {
    const { words: _none, ...older } = { ...stored, schema_version: 1 };

    expect(auditEntryView(KEY, older)).toMatchObject({
      detail: 'DONE key, 1 attempt(s) and 1 claim key(s) removed',
      words: null,
    });
  });

  it.each([
    ['not a record', 'audit.reset'],
    ['a key that is not text', { key: 7 }],
    ['parameters that are not a record', { key: 'audit.reset', params: [1] }],
    ['a parameter of a kind words never have', { key: 'audit.reset', params: { count: { seconds: 3 } } }],
    ['an instant that is not text', { key: 'audit.record', params: { at: { at: 5 } } }],
    ['nested words that do not read', { key: 'done.reset', params: { report: { words: { key: 3 } } } }],
  ])('stored words that are %s are not shown (the stored English is)', (_what, words) => {
    expect(auditEntryView(KEY, { ...stored, words })).toMatchObject({ words: null, detail: stored.detail });
  });

  it('stored words with nested words, instants and numbers read back as stored', () => {
    const words = {
      key: 'error.reset.generating',
      params: { report: { words: { key: 'report.name.AUTO_12H' } }, until: { at: '2026-11-02T21:16:00.000Z' } },
    };

    expect(auditEntryView(KEY, { ...stored, words })?.words).toEqual(words);
  });

  it('shows a failed action as failed, and the time in UTC whatever offset it was stored with', () => {
    expect(auditEntryView(KEY, { ...stored, outcome: 'failed', at: '2026-11-02T23:00:00.250+02:00' })).toMatchObject({
      outcome: 'failed',
      at: '2026-11-02T21:00:00.250Z',
    });
  });

  it.each([
    ['not a record', 'RESET_TRIGGER by admin-1'],
    ['without a time', { ...stored, at: undefined }],
    ['with an unreadable time', { ...stored, at: 'yesterday' }],
    ['with an action the page does not know', { ...stored, action: 'DELETE_EVERYTHING' }],
    ['without an account', { ...stored, account_id: 42 }],
  ])('is skipped when %s', (_what, raw) => {
    expect(auditEntryView(KEY, raw)).toBeNull();
  });

  it('shows what it can of a damaged entry: no trigger, done, no detail, only the keys that are text', () => {
    const damaged = { ...stored, trigger: 'AUTO_6H', outcome: 'maybe', detail: 7, changed_keys: ['k1', 3, null, 'k2'] };

    expect(auditEntryView(KEY, damaged)).toMatchObject({
      trigger: null,
      outcome: 'done',
      detail: '',
      changedKeys: ['k1', 'k2'],
    });
    expect(auditEntryView(KEY, { ...stored, changed_keys: 'k1' })?.changedKeys).toEqual([]);
    expect(auditEntryView(KEY, { ...stored, trigger: 'AUTO_24H' })?.trigger).toBe('AUTO_24H');
  });

  it.each(['GENERATE_MANUAL_REPORT', 'RETRY_TRIGGER', 'RESET_TRIGGER', 'RECORD_INSTALLATION'])(
    'shows a %s entry',
    (action) => {
      expect(auditEntryView(KEY, { ...stored, action })?.action).toBe(action);
    },
  );
});
