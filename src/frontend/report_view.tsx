import { ReactNode, useEffect, useRef } from 'react';
import Button from '@atlaskit/button/new';
import DynamicTable from '@atlaskit/dynamic-table';
import Heading from '@atlaskit/heading';
import Lozenge from '@atlaskit/lozenge';
import { Inline, Stack, Text } from '@atlaskit/primitives';
import type { ChangeSince12h, ComparisonUnavailable, CoverageRow, Phase5Report } from '../phase5/report';
import { formatDuration } from '../admin/format';
import { Instant, usePresentation } from './viewer_context';
import { LozengeAppearance, reportTitle } from './words';

/**
 * One stored report, readable: its figures by dataset, the coverage rows that
 * say what could not be read and why, and the change since the 12-hour report.
 * A stored report is untrusted data (an older schema, a hand edit), so every
 * field is read defensively and anything missing shows as "—", never a crash.
 */

type Loose = Partial<Phase5Report> & Record<string, unknown>;

const DATASET_LABELS: Record<string, string> = {
  projects: 'Projects',
  issues: 'Issues',
  custom_fields: 'Custom fields',
  issue_types: 'Issue types',
  statuses: 'Statuses',
};

const PROJECT_TYPE_LABELS: Record<string, string> = {
  software: 'Software',
  business: 'Business',
  service_desk: 'Service management',
  product_discovery: 'Product discovery',
};

const CATEGORY_LABELS: Record<string, string> = { new: 'To do', indeterminate: 'In progress', done: 'Done' };

const COVERAGE_APPEARANCE: Record<string, LozengeAppearance> = {
  available: 'success',
  partial: 'moved',
  unavailable: 'removed',
};

const REASON_LABELS: Record<string, string> = {
  NOT_PERMITTED: 'Not permitted',
  RATE_LIMITED: 'Rate limited',
  REMOVED_ENDPOINT: 'Endpoint removed',
  TIMED_OUT: 'Timed out',
  SERVER_ERROR: 'Server error',
  UNEXPECTED_RESPONSE: 'Unexpected response',
};

function num(v: unknown, locale: string): string {
  return typeof v === 'number' && Number.isFinite(v) ? v.toLocaleString(locale) : '—';
}

function signed(v: unknown, locale: string): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '—';
  if (v === 0) return '±0';
  return v > 0 ? `+${v.toLocaleString(locale)}` : `−${Math.abs(v).toLocaleString(locale)}`;
}

function entries(v: unknown): Array<[string, unknown]> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.entries(v) : [];
}

function Figure({ label, value, note }: { label: string; value: ReactNode; note?: ReactNode }) {
  return (
    <div className="figure">
      <Stack space="space.050">
        <Text size="small" weight="medium" color="color.text.subtle">
          {label}
        </Text>
        <span className="figure__value">{value}</span>
        {note}
      </Stack>
    </div>
  );
}

function Breakdown({ rows }: { rows: Array<[string, unknown]> }) {
  const { viewer } = usePresentation();
  if (rows.length === 0) return null;
  return (
    <dl className="breakdown">
      {rows.map(([k, v]) => (
        <div key={k} className="breakdown__row">
          <dt>{k}</dt>
          <dd>{num(v, viewer.locale)}</dd>
        </div>
      ))}
    </dl>
  );
}

function SiteFigures({ report }: { report: Loose }) {
  const { locale } = usePresentation().viewer;
  const site = report.site;
  const byType = entries(site?.projects?.by_type).map(([k, v]): [string, unknown] => [PROJECT_TYPE_LABELS[k] ?? k, v]);
  const byCategory = entries(site?.statuses?.by_category).map(([k, v]): [string, unknown] => [
    CATEGORY_LABELS[k] ?? k,
    v,
  ]);
  return (
    <div className="figures" data-testid="report-figures">
      <Figure label="Projects" value={num(site?.projects?.total, locale)} note={<Breakdown rows={byType} />} />
      <Figure
        label="Issues"
        value={num(site?.issues?.total, locale)}
        note={
          <Breakdown
            rows={[
              ['Created since install', site?.issues?.created_since_install],
              ['Updated since install', site?.issues?.updated_since_install],
            ]}
          />
        }
      />
      <Figure label="Custom fields" value={num(site?.custom_fields?.total, locale)} />
      <Figure label="Issue types" value={num(site?.issue_types?.total, locale)} />
      <Figure label="Statuses" value={num(site?.statuses?.total, locale)} note={<Breakdown rows={byCategory} />} />
    </div>
  );
}

const COVERAGE_WORDS: Record<string, string> = {
  available: 'Complete',
  partial: 'Partial',
  unavailable: 'Unavailable',
};

function Coverage({ rows }: { rows: unknown }) {
  const list = Array.isArray(rows) ? (rows as Array<Partial<CoverageRow>>) : [];
  return (
    <div className="table-frame" data-testid="coverage-table">
      <DynamicTable
        label="Coverage"
        isFixedSize
        head={{
          cells: [
            { key: 'dataset', content: 'Data', width: 22 },
            { key: 'coverage', content: 'Coverage', width: 20 },
            { key: 'reason', content: 'Why', width: 58 },
          ],
        }}
        rows={list.map((row, i) => ({
          key: `${row.dataset ?? 'row'}-${i}`,
          testId: 'coverage-row',
          cells: [
            { key: 'dataset', content: DATASET_LABELS[row.dataset ?? ''] ?? String(row.dataset ?? '—') },
            {
              key: 'coverage',
              content: (
                <Lozenge appearance={COVERAGE_APPEARANCE[row.status ?? ''] ?? 'default'}>
                  {COVERAGE_WORDS[row.status ?? ''] ?? row.status ?? 'Unknown'}
                </Lozenge>
              ),
            },
            {
              key: 'reason',
              content: (
                <Stack space="space.050">
                  {row.reason ? (
                    <Text weight="medium">{REASON_LABELS[row.reason] ?? row.reason}</Text>
                  ) : (
                    <Text color="color.text.subtle">—</Text>
                  )}
                  {row.detail && (
                    <Text size="small" color="color.text.subtle">
                      {row.detail}
                    </Text>
                  )}
                </Stack>
              ),
            },
          ],
        }))}
        emptyView={
          <Text as="p" color="color.text.subtle">
            This report has no coverage rows.
          </Text>
        }
      />
    </div>
  );
}

function Change({ change: given }: { change: Partial<ChangeSince12h> | ComparisonUnavailable | null | undefined }) {
  const { locale } = usePresentation().viewer;
  if (given === undefined) return null;
  const unavailable = given as { status?: unknown; detail?: unknown } | null;
  const change = given as Partial<ChangeSince12h> | null;
  return (
    <section className="report__section" aria-labelledby="report-change-heading">
      <Stack space="space.100">
        <Heading size="xsmall" as="h4" id="report-change-heading">
          Change since the 12-hour report
        </Heading>
        {unavailable?.status === 'unavailable' ? (
          <Text as="p" color="color.text.subtle">
            No comparison: the 12-hour report could not be read when this report was made
            {typeof unavailable.detail === 'string' ? ` (${unavailable.detail})` : ''}.
          </Text>
        ) : change === null ? (
          <Text as="p" color="color.text.subtle">
            There was no 12-hour report to compare with.
          </Text>
        ) : (
          <>
            <Text as="p" size="small" color="color.text.subtle">
              Compared with the 12-hour report of <Instant at={change.twelve_hour_generated_at} />.
            </Text>
            <dl className="breakdown breakdown--wide" data-testid="change-table">
              {(
                [
                  ['Projects', change.projects_total],
                  ['Issues', change.issues_total],
                  ['Issues created since install', change.issues_created_since_install],
                  ['Issues updated since install', change.issues_updated_since_install],
                  ['Custom fields', change.custom_fields_total],
                ] as Array<[string, unknown]>
              ).map(([label, v]) => (
                <div key={label} className="breakdown__row">
                  <dt>{label}</dt>
                  <dd>{signed(v, locale)}</dd>
                </div>
              ))}
            </dl>
          </>
        )}
      </Stack>
    </section>
  );
}

export function downloadJson(fileName: string, value: unknown): void {
  const blob = new Blob([JSON.stringify(value, null, 2)], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function reportFileName(key: string): string {
  return `${key.replace(/^phase5:report:[^:]+:/, 'site-report-').replace(/[^A-Za-z0-9._-]+/g, '-')}.json`;
}

export interface OpenReport {
  key: string;
  report: unknown;
  /** Changes on every open, so opening the same report again brings it back into view. */
  openedAt: number;
}

/**
 * The open report. Opening it moves focus to its heading and scrolls it into
 * view (in Jira this scrolls the page around the frame), so a keyboard user
 * lands on what they opened, not on `<body>` with the report below the fold.
 */
export function ReportView({ open, onClose }: { open: OpenReport; onClose: () => void }) {
  const { locale } = usePresentation().viewer;
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    const heading = headingRef.current;
    if (!heading) return;
    heading.focus({ preventScroll: true });
    heading.scrollIntoView({ block: 'start' });
  }, [open.key, open.openedAt]);
  const { report } = open;
  const r = (typeof report === 'object' && report !== null ? report : {}) as Loose;
  const duration = typeof r.generation?.duration_ms === 'number' ? formatDuration(r.generation.duration_ms) : '—';
  return (
    <article className="report" data-testid="report-view" aria-labelledby="report-view-heading">
      <Stack space="space.300">
        <Inline spread="space-between" alignBlock="start" shouldWrap space="space.100">
          <Stack space="space.075">
            <h3 className="report__title" id="report-view-heading" tabIndex={-1} ref={headingRef}>
              {reportTitle(r.trigger)} · generated <Instant at={r.generated_at} />
            </h3>
            <Text as="p" size="small" color="color.text.subtle">
              {num(r.observation_window_hours, locale)} h after installation (<Instant at={r.installation_timestamp} />)
              · attempt {num(r.attempt, locale)} · {num(r.generation?.jira_requests, locale)} Jira requests in{' '}
              {duration} · app version {String(r.app_version ?? 'unknown')}
            </Text>
          </Stack>
          <Inline space="space.100">
            <Button onClick={() => downloadJson(reportFileName(open.key), report)} testId="download-report">
              Download JSON
            </Button>
            <Button appearance="subtle" onClick={onClose} testId="close-report">
              Close
            </Button>
          </Inline>
        </Inline>
        <section className="report__section" aria-labelledby="report-site-heading">
          <Stack space="space.100">
            <Heading size="xsmall" as="h4" id="report-site-heading">
              Site
            </Heading>
            <SiteFigures report={r} />
          </Stack>
        </section>
        <section className="report__section" aria-labelledby="report-coverage-heading">
          <Stack space="space.100">
            <Heading size="xsmall" as="h4" id="report-coverage-heading">
              Coverage
            </Heading>
            <Coverage rows={r.coverage} />
          </Stack>
        </section>
        <Change change={r.trigger === 'AUTO_24H' ? (r.change_since_12h ?? null) : undefined} />
      </Stack>
    </article>
  );
}
