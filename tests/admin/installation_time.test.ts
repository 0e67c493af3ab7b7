import { ADMIN } from '../../src/admin/config';
import { checkInstallationTime, consequencesOf } from '../../src/admin/installation_time';
import { say } from './support/english';

/**
 * An installation time an admin enters, and what the page says recording it
 * would do, before they confirm: the scheduler's own windows (12-hour report
 * due from 12 h to 24 h, the 24-hour report from 24 h on).
 */

const M = 60_000;
const H = 60 * M;
const NOW = Date.parse('2026-11-05T12:00:00Z');
const english = (installedAt: number) => say(consequencesOf(installedAt, NOW), new Date(NOW).toISOString());

describe('an entered installation time', () => {
  it('is accepted up to now, and from the first deployment on', () => {
    expect(checkInstallationTime(NOW, NOW)).toEqual({ ok: true, installedAt: NOW });
    const first = Date.parse(ADMIN.firstDeployedAt);
    expect(checkInstallationTime(first, NOW)).toEqual({ ok: true, installedAt: first });
  });

  it.each([
    ['a moment in the future', NOW + 1, 'installation.enter.future'],
    ['a moment before the first deployment', Date.parse(ADMIN.firstDeployedAt) - 1, 'installation.enter.tooEarly'],
    ['no time at all', null, 'installation.enter.invalid'],
    ['not a number', Number.NaN, 'installation.enter.invalid'],
  ])('is refused when it is %s', (_, installedAt, key) => {
    expect(checkInstallationTime(installedAt, NOW)).toMatchObject({ ok: false, reason: { key } });
  });
});

describe('what recording it would make due, or missed', () => {
  it('under 12 h ago: both reports are still to come, and when', () => {
    expect(english(NOW - 11 * H)).toBe(
      'The 12-hour report will be due Nov 5, 2026, 1:00 PM UTC (in 1 hour), and the 24-hour report ' +
        'Nov 6, 2026, 1:00 AM UTC.',
    );
  });

  it('exactly 12 h ago, and up to the last moment before 24 h: the 12-hour report is due at once', () => {
    expect(english(NOW - 12 * H)).toMatch(/^The 12-hour report becomes due at once, and its time runs out at Nov 6/);
    expect(english(NOW - 24 * H + 1)).toMatch(/^The 12-hour report becomes due at once/);
  });

  it('24 h ago or more: the 12-hour report counts as missed, and the 24-hour report is due at once', () => {
    expect(english(NOW - 24 * H)).toBe(
      'The 12-hour report counts as missed (its time ran out at Nov 5, 2026, 12:00 PM UTC); the 24-hour report ' +
        'becomes due at once.',
    );
  });
});
