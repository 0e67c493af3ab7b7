/** The pure validators, at their boundaries, without any HTTP in between. */
import { LIMITS } from '../../../local/kvs';
import {
  encodeValue,
  exceedsDepth,
  parseKeyPrefix,
  parseQueryLimit,
  ttlToMs,
  validateKey,
} from '../../../local/kvs/validation';
import { Violation } from '../../../local/kvs/violation';
import { nested } from './helpers';

const codeOf = (x: unknown): string | undefined => (x instanceof Violation ? x.code : undefined);

describe('validateKey', () => {
  it.each([
    ['k', undefined],
    ['k'.repeat(500), undefined],
    [' padded ', undefined],
    ['', 'KEY_TOO_SHORT'],
    ['k'.repeat(501), 'KEY_TOO_LONG'],
    ['\t\n ', 'INVALID_KEY'],
    ['a/b', 'INVALID_KEY'],
    [42, 'INVALID_KEY'],
  ])('%j → %s', (key, code) => {
    expect(codeOf(validateKey(key))).toBe(code);
  });
});

describe('encodeValue', () => {
  it('returns the JSON it measured', () => {
    expect(encodeValue({ a: [1, 'x'] })).toBe('{"a":[1,"x"]}');
  });

  it('counts bytes, so 3-byte characters hit the limit at a third of the length', () => {
    const threeByte = '€'.repeat(Math.floor((LIMITS.valueMaxBytes - 2) / 3));

    expect(typeof encodeValue(threeByte)).toBe('string');
    expect(codeOf(encodeValue(threeByte + '€'))).toBe('MAX_SIZE');
  });

  it('refuses null at the top level only', () => {
    expect(codeOf(encodeValue(null))).toBe('INVALID_VALUE');
    expect(typeof encodeValue([null])).toBe('string');
  });
});

describe('exceedsDepth', () => {
  it('treats scalars as depth 0 and each container as one level', () => {
    expect(exceedsDepth('x', 0)).toBe(false);
    expect(exceedsDepth(nested(1), 0)).toBe(true);
    expect(exceedsDepth(nested(31), 31)).toBe(false);
    expect(exceedsDepth(nested(32), 31)).toBe(true);
  });
});

describe('ttlToMs', () => {
  it.each([
    [{ value: 1, unit: 'SECONDS' }, 1000],
    [{ value: 2, unit: 'MINUTES' }, 120_000],
    [{ value: 365, unit: 'DAYS' }, LIMITS.ttlMaxMs],
    [{ value: 8761, unit: 'HOURS' }, 'INVALID_TTL'],
    [{ value: 1.5, unit: 'SECONDS' }, 'INVALID_TTL'],
    [{ value: 1, unit: 'seconds' }, 'INVALID_TTL'],
  ])('%j → %s', (ttl, expected) => {
    const result = ttlToMs(ttl);
    expect(typeof expected === 'number' ? result : codeOf(result)).toBe(expected);
  });
});

describe('query parameters', () => {
  it('bounds the limit to 1..100', () => {
    expect(parseQueryLimit(undefined)).toBe(10);
    expect(parseQueryLimit(100)).toBe(100);
    expect(codeOf(parseQueryLimit(101))).toBe('LIST_QUERY_LIMIT_EXCEEDED');
    expect(codeOf(parseQueryLimit(0))).toBe('BAD_REQUEST');
  });

  it('accepts exactly one key BEGINS_WITH clause', () => {
    expect(parseKeyPrefix([{ property: 'key', condition: 'BEGINS_WITH', values: ['run:'] }])).toBe('run:');
    expect(codeOf(parseKeyPrefix([]))).toBe('QUERY_WHERE_INVALID');
  });
});
