/**
 * Times as the viewer reads them: in the time zone and locale Jira gives the
 * page in its Forge context (the admin's profile settings), with the exact UTC
 * instant kept beside every one of them. Pure functions of (instant, viewer),
 * so they are tested without a browser; nothing here reads the browser's clock.
 */

export interface Viewer {
  /** BCP 47, e.g. `en-US`; Jira writes `en_US`, which is accepted too. */
  locale: string;
  /** IANA, e.g. `Europe/Berlin`. */
  timeZone: string;
}

export const UTC_VIEWER: Viewer = { locale: 'en-US', timeZone: 'UTC' };

function supportedLocale(locale: unknown): string | null {
  if (typeof locale !== 'string' || locale.trim() === '') return null;
  try {
    return Intl.DateTimeFormat.supportedLocalesOf([locale.trim().replace(/_/g, '-')])[0] ?? null;
  } catch {
    return null;
  }
}

function supportedTimeZone(timeZone: unknown): string | null {
  if (typeof timeZone !== 'string' || timeZone.trim() === '') return null;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: timeZone.trim() }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/**
 * The viewer from a Forge context (`view.getContext()`), falling back field by
 * field to what the browser says, then to UTC in English: a context from an
 * older host, or one naming a zone this browser does not know, still shows times.
 */
export function viewerFrom(context: unknown, browser: Partial<Viewer> = {}): Viewer {
  const c = (typeof context === 'object' && context !== null ? context : {}) as Record<string, unknown>;
  return {
    locale: supportedLocale(c.locale) ?? supportedLocale(browser.locale) ?? UTC_VIEWER.locale,
    timeZone: supportedTimeZone(c.timezone) ?? supportedTimeZone(browser.timeZone) ?? UTC_VIEWER.timeZone,
  };
}

function toMs(at: string | number | null | undefined): number | null {
  const ms = typeof at === 'string' ? Date.parse(at) : at;
  return typeof ms === 'number' && Number.isFinite(ms) ? ms : null;
}

/** `Nov 2, 2026, 4:30 PM EST` for en-US in New York; `—` for a missing or broken instant. */
export function formatLocalInstant(at: string | number | null | undefined, viewer: Viewer): string {
  const ms = toMs(at);
  if (ms === null) return '—';
  return new Intl.DateTimeFormat(viewer.locale, {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: viewer.timeZone,
  })
    .format(ms)
    .concat(' ', zoneName(ms, viewer));
}

function zoneName(ms: number, viewer: Viewer): string {
  const part = new Intl.DateTimeFormat(viewer.locale, { timeZone: viewer.timeZone, timeZoneName: 'short' })
    .formatToParts(ms)
    .find((p) => p.type === 'timeZoneName');
  return part?.value ?? viewer.timeZone;
}

/** `2026-11-02 21:30:00 UTC`: the instant itself, the same for every viewer, as support tickets need it. */
export function exactUtc(at: string | number | null | undefined): string {
  const ms = toMs(at);
  if (ms === null) return '—';
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/** `in 3 hours`, `25 minutes ago`, `now`: counted from the resolver's clock, in the viewer's language. */
export function formatRelativeTime(at: string | number | null | undefined, now: string | number, viewer: Viewer) {
  const ms = toMs(at);
  const from = toMs(now);
  if (ms === null || from === null) return '';
  const diff = ms - from;
  const rtf = new Intl.RelativeTimeFormat(viewer.locale, { numeric: 'auto' });
  for (const [unit, size] of UNITS) {
    if (Math.abs(diff) >= size) return rtf.format(Math.trunc(diff / size), unit);
  }
  return rtf.format(0, 'second');
}

function wallParts(ms: number, timeZone: string) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(ms);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute') };
}

/** `2026-11-02T16:30`: the instant as the clock on the wall reads in `timeZone` (a `datetime-local` value). */
export function wallTimeIn(at: string | number, timeZone: string): string {
  const ms = toMs(at);
  if (ms === null) return '';
  const p = wallParts(ms, timeZone);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

/**
 * The instant a wall-clock time in `timeZone` names (what an admin types into a `datetime-local` input,
 * in their Jira time zone, which need not be the browser's), or null for anything else. In the hour a
 * clock is put back, the earlier of the two instants; in the hour it skips, the time as it reads an hour on.
 */
export function instantOfWallTime(wall: string, timeZone: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(wall);
  if (!m) return null;
  const [year, month, day, hour, minute] = m.slice(1).map(Number);
  const asUtc = Date.UTC(year, month - 1, day, hour, minute);
  const check = new Date(asUtc);
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59) return null;
  // The zone's offset at an instant: its wall time there, read as if it were UTC, minus the instant.
  const offsetAt = (ms: number) => {
    const p = wallParts(ms, timeZone);
    return Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute) - Math.floor(ms / 60_000) * 60_000;
  };
  // A clock change falls between the offsets half a day either side: each names one candidate instant.
  const candidates = [asUtc - offsetAt(asUtc - 12 * 3_600_000), asUtc - offsetAt(asUtc + 12 * 3_600_000)];
  const named = candidates.filter((c) => wallTimeIn(c, timeZone) === wall);
  return named.length > 0 ? Math.min(...named) : candidates[0];
}
