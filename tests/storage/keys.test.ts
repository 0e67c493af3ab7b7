import { InvalidStorageKeyError } from '../../src/errors';
import { checkedKey, keys } from '../../src/storage/keys';

const CLOUD = '3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f1a2b3c';

describe('storage keys', () => {
  it('are the names the integration guide gives', () => {
    expect(keys.installationEvidence(CLOUD)).toBe(`phase4:evidence:installation:${CLOUD}`);
    expect(keys.schedulerState(CLOUD)).toBe(`phase5:scheduler:state:${CLOUD}`);
    expect(keys.done(CLOUD, 'AUTO_12H')).toBe(`phase5:scheduler:${CLOUD}:AUTO_12H:DONE`);
    expect(keys.report(CLOUD, 'AUTO_24H')).toBe(`phase5:report:${CLOUD}:AUTO_24H`);
    expect(keys.legacyClaim(CLOUD, 'AUTO_12H', 3)).toBe(`phase5:scheduler:${CLOUD}:AUTO_12H:CLAIM:3`);
  });

  it.each(['a/b', 'x@y', '{id}', 'naïve', 'a+b', ''])('refuses a cloudId Forge would reject in a key: %j', (bad) => {
    expect(() => keys.schedulerState(bad)).toThrow(InvalidStorageKeyError);
  });

  it('refuses a cloudId that would smuggle in a key separator', () => {
    expect(() => keys.done('abc:AUTO_24H', 'AUTO_12H')).toThrow(InvalidStorageKeyError);
  });

  it('enforces the 500-character limit and the pattern', () => {
    expect(checkedKey('a'.repeat(500))).toHaveLength(500);
    expect(() => checkedKey('a'.repeat(501))).toThrow(InvalidStorageKeyError);
    expect(() => checkedKey('   ')).toThrow(InvalidStorageKeyError);
  });

  // Forge's own rule (its KVS limits): 1 to 500 characters of the pattern, not all whitespace. The app builds
  // none of these, but a stricter check here would refuse keys Forge accepts and a looser one would let
  // kvs throw where the app expects a typed error.
  it.each(['a', ' a', 'a b', '#', '-'])('accepts a key Forge accepts, however short or spaced: %j', (key) => {
    expect(checkedKey(key)).toBe(key);
  });

  it.each(['', ' ', '\t\n', 'a/b', 'a\u00e9'])('refuses a key Forge refuses: %j', (key) => {
    expect(() => checkedKey(key)).toThrow(InvalidStorageKeyError);
  });

  it('claims need a positive whole attempt number', () => {
    expect(() => keys.legacyClaim(CLOUD, 'AUTO_12H', 0)).toThrow(InvalidStorageKeyError);
    expect(() => keys.legacyClaim(CLOUD, 'AUTO_12H', 1.5)).toThrow(InvalidStorageKeyError);
  });
});

describe('recognising the report keys the app derives, before deleting what a history entry names', () => {
  const OTHER = '0a0b0c0d-0000-4000-8000-000000000001';
  const at = Date.parse('2026-11-02T09:00:00.000Z');

  it('knows a manual report key by its site, its shape and its number', () => {
    expect(keys.isManualReport(CLOUD, keys.manualReport(CLOUD, at, 7), 7)).toBe(true);
    expect(keys.isManualReport(CLOUD, keys.manualReport(CLOUD, at, 7), 70)).toBe(false);
    expect(keys.isManualReport(CLOUD, keys.manualReport(OTHER, at, 7), 7)).toBe(false);
    expect(keys.isManualReport(CLOUD, `phase5:report:${CLOUD}:MANUAL:20261102T090000.000Z-07`, 7)).toBe(false);
    expect(keys.isManualReport(CLOUD, `phase5:report:${CLOUD}:MANUAL:m-7`, 7)).toBe(false);
    expect(keys.isManualReport(CLOUD, keys.done(CLOUD, 'AUTO_12H'), 7)).toBe(false);
    expect(keys.isManualReport(CLOUD, keys.report(CLOUD, 'AUTO_12H'), 7)).toBe(false);
  });

  it('knows a set-aside report and its entry by site, trigger and shape', () => {
    const report = keys.replacedReport(CLOUD, 'AUTO_12H', at, 3);
    const entry = keys.replacedReportEntry(CLOUD, 'AUTO_12H', 3);
    expect(keys.isReplacedReport(CLOUD, 'AUTO_12H', report)).toBe(true);
    expect(keys.isReplacedReport(CLOUD, 'AUTO_24H', report)).toBe(false);
    expect(keys.isReplacedReport(OTHER, 'AUTO_12H', report)).toBe(false);
    expect(keys.isReplacedReport(CLOUD, 'AUTO_12H', keys.report(CLOUD, 'AUTO_12H'))).toBe(false);
    expect(keys.isReplacedReport(CLOUD, 'AUTO_12H', `${report}:DONE`)).toBe(false);
    expect(keys.isReplacedReportEntry(CLOUD, 'AUTO_12H', entry)).toBe(true);
    expect(keys.isReplacedReportEntry(CLOUD, 'AUTO_24H', entry)).toBe(false);
    expect(keys.isReplacedReportEntry(CLOUD, 'AUTO_12H', keys.manualReportEntry(CLOUD, 3))).toBe(false);
  });
});
