import { Catalogues, configurationChanges } from './configuration';
import type { ChangeSince12h, Phase5Report, SiteFigures } from './report';

/**
 * The 24-hour report beside the 12-hour one. Pure: the earlier report as stored
 * (untrusted: an older schema, a hand edit) and this report's figures in, the
 * comparison out. Differences are this report minus the 12-hour one; rates are
 * issues per hour, over the 12-hour report's window and between the two reports.
 */

const HOUR = 3_600_000;

const delta = (now: number | null, then: unknown) =>
  now === null || typeof then !== 'number' || !Number.isFinite(then) ? null : now - then;

const oneDecimal = (x: number) => Math.round(x * 10) / 10;

/** `amount` per hour over `hours`, to one decimal; null without both or over no time. */
function perHour(amount: number | null, hours: number | null): number | null {
  return amount === null || hours === null || !(hours > 0) ? null : oneDecimal(amount / hours);
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The earlier report's figures, each read defensively: what is not a number is null. */
function figuresOf(site: Partial<SiteFigures> | undefined): SiteFigures {
  const byType = site?.projects?.by_type;
  const byCategory = site?.statuses?.by_category;
  return {
    projects: {
      total: num(site?.projects?.total),
      by_type:
        typeof byType === 'object' && byType !== null
          ? Object.fromEntries(Object.entries(byType).map(([k, v]) => [k, num(v)]))
          : {},
      ...(site?.projects?.accuracy ? { accuracy: site.projects.accuracy } : {}),
    },
    issues: {
      total: num(site?.issues?.total),
      created_since_install: num(site?.issues?.created_since_install),
      updated_since_install: num(site?.issues?.updated_since_install),
      accuracy: 'approximate',
    },
    custom_fields: { total: num(site?.custom_fields?.total) },
    issue_types: { total: num(site?.issue_types?.total) },
    statuses: {
      total: num(site?.statuses?.total),
      by_category:
        typeof byCategory === 'object' && byCategory !== null
          ? (Object.fromEntries(Object.entries(byCategory).filter(([, v]) => num(v) !== null)) as Record<
              string,
              number
            >)
          : null,
    },
  };
}

export interface ThisReport {
  generatedAt: number;
  installedAt: number;
  site: SiteFigures;
  catalogues: Catalogues;
}

/** The comparison, or null when the earlier report holds no figures to compare with. */
export function compareWith12h(earlier: Partial<Phase5Report> | undefined, now: ThisReport): ChangeSince12h | null {
  if (!earlier?.site || typeof earlier.generated_at !== 'string') return null;
  const then = figuresOf(earlier.site);
  const site = now.site;
  const earlierAt = Date.parse(earlier.generated_at);
  const hoursBetween = Number.isFinite(earlierAt) ? oneDecimal((now.generatedAt - earlierAt) / HOUR) : null;
  const firstWindow = Number.isFinite(earlierAt) ? (earlierAt - now.installedAt) / HOUR : null;
  const created = delta(site.issues.created_since_install, then.issues.created_since_install);
  const updated = delta(site.issues.updated_since_install, then.issues.updated_since_install);
  return {
    twelve_hour_generated_at: earlier.generated_at,
    projects_total: delta(site.projects.total, then.projects.total),
    issues_total: delta(site.issues.total, then.issues.total),
    issues_created_since_install: created,
    issues_updated_since_install: updated,
    custom_fields_total: delta(site.custom_fields.total, then.custom_fields.total),
    issue_types_total: delta(site.issue_types.total, then.issue_types.total),
    statuses_total: delta(site.statuses.total, then.statuses.total),
    twelve_hour: { observation_window_hours: num(earlier.observation_window_hours), site: then },
    hours_between: hoursBetween,
    rates_per_hour: {
      issues_created: {
        first_window: perHour(then.issues.created_since_install, firstWindow),
        between_reports: perHour(created, hoursBetween),
      },
      issues_updated: {
        first_window: perHour(then.issues.updated_since_install, firstWindow),
        between_reports: perHour(updated, hoursBetween),
      },
    },
    configuration: configurationChanges(earlier.configuration, now.catalogues),
  };
}
