import { InvalidStorageKeyError } from '../../src/errors';
import { keys, KVS_KEY_PATTERN } from '../../src/storage/keys';

/** The admin page's keys: readable in storage, sortable by time, and all accepted by Forge KVS. */

const CLOUD = '3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f1a2b3c';
const AT = Date.parse('2026-11-02T21:30:05.123+02:00');

describe('admin page keys', () => {
  it('put instants in UTC basic format, with no "+" that KVS would reject', () => {
    expect(keys.manualReport(CLOUD, AT, 7)).toBe(`phase5:report:${CLOUD}:MANUAL:20261102T193005.123Z-7`);
    expect(keys.replacedReport(CLOUD, 'AUTO_24H', AT, 2)).toBe(
      `phase5:report:${CLOUD}:AUTO_24H:REPLACED:20261102T193005.123Z-E2`,
    );
    expect(keys.auditEntry(CLOUD, AT, 'a1b2c3')).toBe(`phase5:audit:${CLOUD}:20261102T193005.123Z-a1b2c3`);
  });

  it('keep every report of a site under one prefix, and every claim of a trigger under another', () => {
    const prefix = keys.reportPrefix(CLOUD);

    for (const key of [
      keys.report(CLOUD, 'AUTO_12H'),
      keys.manualReport(CLOUD, AT, 1),
      keys.replacedReport(CLOUD, 'AUTO_12H', AT, 0),
    ]) {
      expect(key.startsWith(prefix)).toBe(true);
    }
    expect(keys.legacyClaim(CLOUD, 'MANUAL', 3).startsWith(keys.legacyClaimPrefix(CLOUD, 'MANUAL'))).toBe(true);
  });

  it('give each epoch of a trigger its own claims, epoch 0 keeping the form claims had before epochs', () => {
    expect(keys.legacyClaim(CLOUD, 'AUTO_12H', 2)).toBe(`phase5:scheduler:${CLOUD}:AUTO_12H:CLAIM:2`);
    expect(keys.legacyClaim(CLOUD, 'AUTO_12H', 2, 0)).toBe(keys.legacyClaim(CLOUD, 'AUTO_12H', 2));
    expect(keys.legacyClaim(CLOUD, 'AUTO_12H', 2, 3)).toBe(`phase5:scheduler:${CLOUD}:AUTO_12H:E3:CLAIM:2`);
    expect(keys.legacyClaim(CLOUD, 'AUTO_12H', 2, 3).startsWith(keys.legacyClaimPrefix(CLOUD, 'AUTO_12H'))).toBe(false);
    expect(keys.legacyClaim(CLOUD, 'AUTO_12H', 2, 3).startsWith(keys.legacyClaimPrefix(CLOUD, 'AUTO_12H', 3))).toBe(
      true,
    );
    expect(() => keys.legacyClaim(CLOUD, 'AUTO_12H', 1, -1)).toThrow(InvalidStorageKeyError);
  });

  it('keep one history entry per kept report under one prefix, apart from the earlier single lists', () => {
    const prefix = keys.adminEntryPrefix(CLOUD);

    expect(keys.manualReportEntry(CLOUD, 7).startsWith(prefix)).toBe(true);
    expect(keys.replacedReportEntry(CLOUD, 'AUTO_24H', 1).startsWith(prefix)).toBe(true);
    expect(keys.manualReportIndex(CLOUD).startsWith(prefix)).toBe(false);
    // The sequence record is no history entry: a listing of the entries never meets it.
    expect(keys.manualSequence(CLOUD)).toBe(`phase5:admin:manual-sequence:${CLOUD}`);
    expect(keys.manualSequence(CLOUD).startsWith(prefix)).toBe(false);
    expect([keys.manualReportEntry(CLOUD, 10), keys.manualReportEntry(CLOUD, 9)].sort()).toEqual([
      keys.manualReportEntry(CLOUD, 9),
      keys.manualReportEntry(CLOUD, 10),
    ]);
  });

  it('sort by time as strings, so a prefix listing comes back oldest first', () => {
    const earlier = keys.auditEntry(CLOUD, AT, 'ffffff');
    const later = keys.auditEntry(CLOUD, AT + 1, '000000');

    expect([later, earlier].sort()).toEqual([earlier, later]);
  });

  it('all match the Forge key pattern', () => {
    const all = [
      keys.manualReportIndex(CLOUD),
      keys.replacedReportIndex(CLOUD),
      keys.auditPrefix(CLOUD),
      keys.legacyClaimPrefix(CLOUD, 'AUTO_12H'),
      keys.manualReport(CLOUD, AT, 1),
      keys.legacyEpoch(CLOUD, 'AUTO_24H'),
      keys.legacyClaim(CLOUD, 'AUTO_12H', 3, 2),
      keys.manualReportEntry(CLOUD, 12),
      keys.replacedReportEntry(CLOUD, 'AUTO_12H', 3),
    ];

    for (const key of all) expect(key).toMatch(KVS_KEY_PATTERN);
  });

  it('refuse an audit suffix that could smuggle in a separator, and a sequence that is not a positive integer', () => {
    expect(() => keys.auditEntry(CLOUD, AT, 'x:y')).toThrow(InvalidStorageKeyError);
    expect(() => keys.manualReport(CLOUD, AT, 0)).toThrow(InvalidStorageKeyError);
    expect(() => keys.manualReport(CLOUD, Number.NaN, 1)).toThrow(InvalidStorageKeyError);
  });
});
