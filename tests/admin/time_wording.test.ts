import { formatDuration, formatInstant } from '../../src/admin/format';

/**
 * How the resolver words times in its English messages (read by support, from
 * many time zones): an instant is always UTC and says so, and a wait reads the
 * way a person would say it. The page's own times are tests/frontend/local_time.test.ts.
 */

const M = 60_000;
const H = 60 * M;
const D = 24 * H;
const AT = Date.parse('2026-11-02T21:00:00Z');

describe('an instant', () => {
  it('is day, month, year and a 24-hour UTC time, labelled UTC', () => {
    expect(formatInstant(AT)).toBe('2 Nov 2026, 21:00 UTC');
    expect(formatInstant(Date.parse('2027-01-09T07:05:59.999Z'))).toBe('9 Jan 2027, 07:05 UTC');
    expect(formatInstant(Date.parse('2026-12-31T23:59:00Z'))).toBe('31 Dec 2026, 23:59 UTC');
  });

  it.each([
    ['01', 'Jan'],
    ['02', 'Feb'],
    ['03', 'Mar'],
    ['04', 'Apr'],
    ['05', 'May'],
    ['06', 'Jun'],
    ['07', 'Jul'],
    ['08', 'Aug'],
    ['09', 'Sep'],
    ['10', 'Oct'],
    ['11', 'Nov'],
    ['12', 'Dec'],
  ])('names month %s by its English short name, %s', (month, name) => {
    expect(formatInstant(`2027-${month}-15T12:00:00Z`)).toBe(`15 ${name} 2027, 12:00 UTC`);
  });

  it('reads the same from a stored ISO-8601 string with any offset', () => {
    expect(formatInstant('2026-11-02T23:00:00+02:00')).toBe('2 Nov 2026, 21:00 UTC');
  });

  it.each([null, undefined, Number.NaN, 'soon'])('is a dash when there is none: %p', (at) => {
    expect(formatInstant(at)).toBe('—');
  });
});

describe('a wait', () => {
  it.each([
    [0, 'under a minute'],
    [29_999, 'under a minute'],
    [30_000, '1 min'],
    [45 * M, '45 min'],
    [H, '1 h'],
    [2 * H + 5 * M, '2 h 5 min'],
    [D - 1, '1 d'],
    [D + H, '1 d 1 h'],
    [D + 59 * M, '1 d'],
    [3 * D + 4 * H + 10 * M, '3 d 4 h'],
    [-(2 * H), '2 h'],
  ])('of %p ms reads "%s"', (ms, words) => {
    expect(formatDuration(ms)).toBe(words);
  });
});
