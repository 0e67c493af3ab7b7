/**
 * JQL date values: absolute ("yyyy-MM-dd HH:mm", "yyyy/MM/dd", ...) and
 * relative ("-12h", "-720m", "-1d", "-4w 2d"). Absolute dates are read in UTC:
 * the emulated site and its users have UTC as their time zone, which keeps
 * tests independent of the machine's zone.
 */

const MINUTE_MS = 60_000;
const UNIT_MS: Record<string, number> = {
  m: MINUTE_MS,
  h: 60 * MINUTE_MS,
  d: 1_440 * MINUTE_MS,
  w: 10_080 * MINUTE_MS,
};

const ABSOLUTE = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:\s+(\d{1,2}):(\d{2}))?$/;
const RELATIVE = /^([-+]?)\s*((?:\d+\s*[wdhm]\s*)+)$/;

/** Epoch ms for a JQL date literal, or undefined when it is not a date Jira accepts. */
export function parseJqlDate(text: string, now: number): number | undefined {
  const value = text.trim();
  const absolute = ABSOLUTE.exec(value);
  if (absolute) {
    const [year, month, day, hour = 0, minute = 0] = absolute
      .slice(1)
      .map((part) => (part === undefined ? undefined : Number(part)));
    if (month! < 1 || month! > 12 || hour! > 23 || minute! > 59) return undefined;
    const ms = Date.UTC(year!, month! - 1, day!, hour, minute);
    // Date.UTC rolls 31 February over into March; Jira rejects it.
    return new Date(ms).getUTCDate() === day ? ms : undefined;
  }
  const relative = RELATIVE.exec(value);
  if (relative) {
    let offset = 0;
    for (const [, amount, unit] of relative[2].matchAll(/(\d+)\s*([wdhm])/g)) {
      offset += Number(amount) * UNIT_MS[unit];
    }
    return relative[1] === '-' ? now - offset : now + offset;
  }
  return undefined;
}

export function invalidDateMessage(text: string, field: string): string {
  return (
    `Date value '${text}' for field '${field}' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', ` +
    `'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'.`
  );
}
