import { accountsHeld, anonymiseClosed, CLOSED_ACCOUNT } from '../../src/privacy/personal_data';

/** The pure core: which accounts the records hold, and the rewrites a closed account needs. */

const KEYS = { manualIndex: 'manual', replacedIndex: 'replaced', evidence: 'evidence' };
const DAY = 86_400_000;

const records = {
  audit: [
    { key: 'a1', value: { at: '2026-11-03T10:00:00.000Z', account_id: 'acc-1', detail: 'x' } },
    { key: 'a2', value: { at: '2026-11-01T10:00:00.000Z', account_id: 'acc-2' } },
    { key: 'a3', value: { at: '2026-11-04T10:00:00.000Z', account_id: 'unknown' } },
    { key: 'a4', value: { at: '2026-11-04T10:00:00.000Z', account_id: CLOSED_ACCOUNT } },
    { key: 'a5', value: { at: '2026-11-04T10:00:00.000Z', account_id: 'not/an id' } },
  ],
  reportEntries: [
    { key: 'e1', value: { key: 'r3', generated_at: '2026-11-06T10:00:00.000Z', requested_by: 'acc-1' } },
    { key: 'e2', value: { key: 'r4', replaced_at: '2026-10-31T10:00:00.000Z', replaced_by: 'acc-4' } },
  ],
  manualIndex: {
    next_sequence: 3,
    reports: [{ key: 'r1', generated_at: '2026-11-02T10:00:00.000Z', requested_by: 'acc-1' }],
  },
  replacedIndex: { reports: [{ key: 'r2', replaced_at: '2026-11-05T10:00:00.000Z', replaced_by: 'acc-2' }] },
  evidence: { source: 'admin', recorded_at: '2026-10-30T10:00:00.000Z', recorded_by: 'acc-3' },
};

describe('accounts held', () => {
  it('lists each real account id once, with the oldest time any record stored it', () => {
    expect(accountsHeld(records)).toEqual([
      { accountId: 'acc-1', updatedAt: '2026-11-02T10:00:00.000Z' },
      { accountId: 'acc-2', updatedAt: '2026-11-01T10:00:00.000Z' },
      { accountId: 'acc-3', updatedAt: '2026-10-30T10:00:00.000Z' },
      { accountId: 'acc-4', updatedAt: '2026-10-31T10:00:00.000Z' },
    ]);
  });
});

describe('anonymising closed accounts', () => {
  it('rewrites exactly the records naming them, audit entries keeping only what is left of their year', () => {
    const now = Date.parse('2026-11-03T10:00:00.000Z') + 10 * DAY;

    const rewrites = anonymiseClosed(records, new Set(['acc-1']), KEYS, { ttlDays: 365, now });

    expect(rewrites).toEqual([
      { key: 'a1', value: { at: '2026-11-03T10:00:00.000Z', account_id: CLOSED_ACCOUNT, detail: 'x' }, ttlDays: 355 },
      { key: 'e1', value: { key: 'r3', generated_at: '2026-11-06T10:00:00.000Z', requested_by: CLOSED_ACCOUNT } },
      {
        key: 'manual',
        value: {
          next_sequence: 3,
          reports: [{ key: 'r1', generated_at: '2026-11-02T10:00:00.000Z', requested_by: CLOSED_ACCOUNT }],
        },
      },
    ]);
  });

  it('writes nothing when no account is closed', () => {
    expect(anonymiseClosed(records, new Set(), KEYS, { ttlDays: 365, now: 0 })).toEqual([]);
    expect(anonymiseClosed(records, new Set(['acc-9']), KEYS, { ttlDays: 365, now: 0 })).toEqual([]);
  });
});
