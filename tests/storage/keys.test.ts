import { InvalidStorageKeyError } from '../../src/errors';
import { checkedKey, keys } from '../../src/storage/keys';

const CLOUD = '3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f1a2b3c';

describe('storage keys', () => {
  it('are the names the integration guide gives', () => {
    expect(keys.installationEvidence(CLOUD)).toBe(`phase4:evidence:installation:${CLOUD}`);
    expect(keys.schedulerState(CLOUD)).toBe(`phase5:scheduler:state:${CLOUD}`);
    expect(keys.done(CLOUD, 'AUTO_12H')).toBe(`phase5:scheduler:${CLOUD}:AUTO_12H:DONE`);
    expect(keys.report(CLOUD, 'AUTO_24H')).toBe(`phase5:report:${CLOUD}:AUTO_24H`);
    expect(keys.claim(CLOUD, 'AUTO_12H', 3)).toBe(`phase5:scheduler:${CLOUD}:AUTO_12H:CLAIM:3`);
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
    expect(() => keys.claim(CLOUD, 'AUTO_12H', 0)).toThrow(InvalidStorageKeyError);
    expect(() => keys.claim(CLOUD, 'AUTO_12H', 1.5)).toThrow(InvalidStorageKeyError);
  });
});
