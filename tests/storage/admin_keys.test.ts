import { InvalidStorageKeyError } from '../../src/errors';
import { keys, KVS_KEY_PATTERN } from '../../src/storage/keys';

/** The admin page's keys: readable in storage, sortable by time, and all accepted by Forge KVS. */

const CLOUD = '3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f1a2b3c';
const AT = Date.parse('2026-11-02T21:30:05.123+02:00');

describe('admin page keys', () => {
  it('put instants in UTC basic format, with no "+" that KVS would reject', () => {
    expect(keys.manualReport(CLOUD, AT, 7)).toBe(`phase5:report:${CLOUD}:MANUAL:20261102T193005.123Z-7`);
    expect(keys.replacedReport(CLOUD, 'AUTO_24H', AT)).toBe(
      `phase5:report:${CLOUD}:AUTO_24H:REPLACED:20261102T193005.123Z`,
    );
    expect(keys.auditEntry(CLOUD, AT, 'a1b2c3')).toBe(`phase5:audit:${CLOUD}:20261102T193005.123Z-a1b2c3`);
  });

  it('keep every report of a site under one prefix, and every claim of a trigger under another', () => {
    const prefix = keys.reportPrefix(CLOUD);

    for (const key of [
      keys.report(CLOUD, 'AUTO_12H'),
      keys.manualReport(CLOUD, AT, 1),
      keys.replacedReport(CLOUD, 'AUTO_12H', AT),
    ]) {
      expect(key.startsWith(prefix)).toBe(true);
    }
    expect(keys.claim(CLOUD, 'MANUAL', 3).startsWith(keys.claimPrefix(CLOUD, 'MANUAL'))).toBe(true);
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
      keys.claimPrefix(CLOUD, 'AUTO_12H'),
      keys.manualReport(CLOUD, AT, 1),
    ];

    for (const key of all) expect(key).toMatch(KVS_KEY_PATTERN);
  });

  it('refuse an audit suffix that could smuggle in a separator, and a sequence that is not a positive integer', () => {
    expect(() => keys.auditEntry(CLOUD, AT, 'x:y')).toThrow(InvalidStorageKeyError);
    expect(() => keys.manualReport(CLOUD, AT, 0)).toThrow(InvalidStorageKeyError);
    expect(() => keys.manualReport(CLOUD, Number.NaN, 1)).toThrow(InvalidStorageKeyError);
  });
});
