import {
  exactUtc,
  formatLocalInstant,
  formatRelativeTime,
  instantOfWallTime,
  viewerFrom,
  wallTimeIn,
} from '../../src/frontend/local_time';

/** Times as the admin page shows them: the viewer's zone and locale from the Forge context, UTC kept exact. */

const norm = (s: string) => s.replace(/\s+/g, ' ');

describe('the viewer from the Forge context', () => {
  it("takes Jira's locale (en_US style) and time zone", () => {
    expect(viewerFrom({ locale: 'en_GB', timezone: 'Australia/Sydney' })).toEqual({
      locale: 'en-GB',
      timeZone: 'Australia/Sydney',
    });
  });

  it('falls back to the browser, then to UTC in English, field by field', () => {
    expect(viewerFrom({ locale: 'en-US', timezone: 'Mars/Olympus_Mons' }, { timeZone: 'Europe/Paris' })).toEqual({
      locale: 'en-US',
      timeZone: 'Europe/Paris',
    });
    expect(viewerFrom(undefined)).toEqual({ locale: 'en-US', timeZone: 'UTC' });
  });
});

describe('an instant for the viewer', () => {
  const at = '2026-11-02T21:30:00.000Z';

  it('is written in their zone and language, with the zone named', () => {
    expect(norm(formatLocalInstant(at, { locale: 'en-US', timeZone: 'America/New_York' }))).toBe(
      'Nov 2, 2026, 4:30 PM EST',
    );
    expect(norm(formatLocalInstant(at, { locale: 'de-DE', timeZone: 'Europe/Berlin' }))).toBe('02.11.2026, 22:30 MEZ');
    expect(formatLocalInstant('not a time', { locale: 'en-US', timeZone: 'UTC' })).toBe('—');
  });

  it('keeps the exact UTC instant for the tooltip, whatever the viewer', () => {
    expect(exactUtc(at)).toBe('2026-11-02 21:30:00 UTC');
  });

  it("says how long ago or how far ahead in the viewer's language, from the resolver's clock", () => {
    const en = { locale: 'en-US', timeZone: 'UTC' };
    expect(formatRelativeTime('2026-11-02T18:30:00.000Z', at, en)).toBe('3 hours ago');
    expect(formatRelativeTime('2026-11-03T21:30:00.000Z', at, en)).toBe('tomorrow');
    expect(formatRelativeTime('2026-11-02T21:55:00.000Z', at, en)).toBe('in 25 minutes');
    expect(formatRelativeTime('2026-11-02T21:55:00.000Z', at, { locale: 'fr-FR', timeZone: 'UTC' })).toBe(
      'dans 25 minutes',
    );
  });
});

describe('a time typed in the viewer’s Jira time zone (the installation time’s input)', () => {
  it('reads back as the instant it names there, whatever zone the browser is in', () => {
    expect(new Date(instantOfWallTime('2026-11-02T10:30', 'Europe/Berlin')!).toISOString()).toBe(
      '2026-11-02T09:30:00.000Z',
    );
    expect(new Date(instantOfWallTime('2026-07-02T10:30', 'Europe/Berlin')!).toISOString()).toBe(
      '2026-07-02T08:30:00.000Z',
    );
    expect(new Date(instantOfWallTime('2026-11-02T04:30', 'America/New_York')!).toISOString()).toBe(
      '2026-11-02T09:30:00.000Z',
    );
  });

  it('is offered as the wall-clock time there, and round-trips', () => {
    expect(wallTimeIn('2026-11-02T09:30:00.000Z', 'Europe/Berlin')).toBe('2026-11-02T10:30');
    expect(wallTimeIn('2026-11-02T09:30:00.000Z', 'Asia/Kolkata')).toBe('2026-11-02T15:00');
    for (const zone of ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'Asia/Kathmandu']) {
      const at = Date.parse('2026-10-25T00:45:00Z');
      expect(instantOfWallTime(wallTimeIn(at, zone), zone)).toBe(at);
    }
  });

  it('is nothing when it is not a date and a time, or not a real one', () => {
    expect(instantOfWallTime('', 'UTC')).toBeNull();
    expect(instantOfWallTime('2026-02-30T10:00', 'UTC')).toBeNull();
    expect(instantOfWallTime('2026-11-02 10:00', 'UTC')).toBeNull();
  });
});

describe('a typed time where the clocks change', () => {
  it('in the hour put back, is the earlier of the two instants it names', () => {
    expect(new Date(instantOfWallTime('2026-10-25T02:30', 'Europe/Berlin')!).toISOString()).toBe(
      '2026-10-25T00:30:00.000Z',
    );
  });

  it('in the hour skipped, is the time it reads an hour on', () => {
    expect(new Date(instantOfWallTime('2026-03-29T02:30', 'Europe/Berlin')!).toISOString()).toBe(
      '2026-03-29T01:30:00.000Z',
    );
  });
});
