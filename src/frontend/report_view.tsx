import type { ReactNode } from 'react';
import type { ChangeSince12h, ComparisonUnavailable, CoverageRow, Phase5Report } from '../phase5/report';
import { formatDuration, formatInstant } from '../admin/format';
import { Button, Lozenge, LozengeAppearance } from './components';

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

function num(v: unknown): string {
  return typeof v === 'number' && Number.isFinite(v) ? v.toLocaleString('en-US') : '—';
}

function signed(v: unknown): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '—';
  if (v === 0) return '±0';
  return v > 0 ? `+${v.toLocaleString('en-US')}` : `−${Math.abs(v).toLocaleString('en-US')}`;
}

function entries(v: unknown): Array<[string, unknown]> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.entries(v) : [];
}

function Figure({ label, value, note }: { label: string; value: ReactNode; note?: ReactNode }) {
  return (
    <div className="figure">
      <div className="figure__label">{label}</div>
      <div className="figure__value">{value}</div>
      {note && <div className="figure__note">{note}</div>}
    </div>
  );
}

function Breakdown({ rows }: { rows: Array<[string, unknown]> }) {
  if (rows.length === 0) return null;
  return (
    <dl className="breakdown">
      {rows.map(([k, v]) => (
        <div key={k} className="breakdown__row">
          <dt>{k}</dt>
          <dd>{num(v)}</dd>
        </div>
      ))}
    </dl>
  );
}

function SiteFigures({ report }: { report: Loose }) {
  const site = report.site;
  const byType = entries(site?.projects?.by_type).map(([k, v]): [string, unknown] => [PROJECT_TYPE_LABELS[k] ?? k, v]);
  const byCategory = entries(site?.statuses?.by_category).map(([k, v]): [string, unknown] => [
    CATEGORY_LABELS[k] ?? k,
    v,
  ]);
  return (
    <div className="figures" data-testid="report-figures">
      <Figure label="Projects" value={num(site?.projects?.total)} note={<Breakdown rows={byType} />} />
      <Figure
        label="Issues"
        value={num(site?.issues?.total)}
        note={
          <Breakdown
            rows={[
              ['Created since install', site?.issues?.created_since_install],
              ['Updated since install', site?.issues?.updated_since_install],
            ]}
          />
        }
      />
      <Figure label="Custom fields" value={num(site?.custom_fields?.total)} />
      <Figure label="Issue types" value={num(site?.issue_types?.total)} />
      <Figure label="Statuses" value={num(site?.statuses?.total)} note={<Breakdown rows={byCategory} />} />
    </div>
  );
}

function Coverage({ rows }: { rows: unknown }) {
  const list = Array.isArray(rows) ? (rows as Array<Partial<CoverageRow>>) : [];
  if (list.length === 0) return <p className="subtle">This report has no coverage rows.</p>;
  return (
    <table className="table" data-testid="coverage-table">
      <thead>
        <tr>
          <th>Dataset</th>
          <th>Coverage</th>
          <th>Reason</th>
          <th>Read from</th>
        </tr>
      </thead>
      <tbody>
        {list.map((row, i) => (
          <tr key={`${row.dataset ?? 'row'}-${i}`}>
            <td>{DATASET_LABELS[row.dataset ?? ''] ?? String(row.dataset ?? '—')}</td>
            <td>
              <Lozenge appearance={COVERAGE_APPEARANCE[row.status ?? ''] ?? 'default'}>
                {row.status ?? 'unknown'}
              </Lozenge>
            </td>
            <td>
              {row.reason ? (
                <strong>{REASON_LABELS[row.reason] ?? row.reason}</strong>
              ) : (
                <span className="subtle">—</span>
              )}
              {row.detail && <div className="subtle small">{row.detail}</div>}
            </td>
            <td className="small mono">{Array.isArray(row.sources) ? row.sources.join(', ') : '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Change({ change: given }: { change: Partial<ChangeSince12h> | ComparisonUnavailable | null | undefined }) {
  if (given === undefined) return null;
  const unavailable = given as { status?: unknown; detail?: unknown } | null;
  const change = given as Partial<ChangeSince12h> | null;
  if (unavailable?.status === 'unavailable') {
    return (
      <section className="report__section">
        <h4 className="report__heading">Change since the 12-hour report</h4>
        <p className="subtle">
          No comparison: the 12-hour report could not be read when this report was made
          {typeof unavailable.detail === 'string' ? ` (${unavailable.detail})` : ''}.
        </p>
      </section>
    );
  }
  return (
    <section className="report__section">
      <h4 className="report__heading">Change since the 12-hour report</h4>
      {change === null ? (
        <p className="subtle">There was no 12-hour report to compare with.</p>
      ) : (
        <>
          <p className="subtle small">
            Compared with the 12-hour report of {formatInstant(change.twelve_hour_generated_at)}.
          </p>
          <table className="table table--compact" data-testid="change-table">
            <tbody>
              {(
                [
                  ['Projects', change.projects_total],
                  ['Issues', change.issues_total],
                  ['Issues created since install', change.issues_created_since_install],
                  ['Issues updated since install', change.issues_updated_since_install],
                  ['Custom fields', change.custom_fields_total],
                ] as Array<[string, unknown]>
              ).map(([label, v]) => (
                <tr key={label}>
                  <td>{label}</td>
                  <td className="numeric">{signed(v)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
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

export function ReportView({
  reportKey,
  report,
  onClose,
}: {
  reportKey: string;
  report: unknown;
  onClose: () => void;
}) {
  const r = (typeof report === 'object' && report !== null ? report : {}) as Loose;
  const duration = typeof r.generation?.duration_ms === 'number' ? formatDuration(r.generation.duration_ms) : '—';
  return (
    <article className="report" data-testid="report-view" aria-label={`Report ${reportKey}`}>
      <header className="report__header">
        <div>
          <h3 className="report__title">
            <Lozenge appearance={r.trigger === 'MANUAL' ? 'new' : 'inprogress'}>
              {String(r.trigger ?? 'report')}
            </Lozenge>
            <span>Generated {formatInstant(r.generated_at)}</span>
          </h3>
          <p className="subtle small">
            {num(r.observation_window_hours)} h after installation ({formatInstant(r.installation_timestamp)}) · attempt{' '}
            {num(r.attempt)} · {num(r.generation?.jira_requests)} Jira requests in {duration} · app version{' '}
            {r.app_version ?? 'unknown'} · schema v{num(r.schema_version)}
          </p>
          <p className="subtle small mono">{reportKey}</p>
        </div>
        <div className="report__actions">
          <Button onClick={() => downloadJson(reportFileName(reportKey), report)} testId="download-report">
            Download JSON
          </Button>
          <Button appearance="subtle" onClick={onClose}>
            Close
          </Button>
        </div>
      </header>
      <section className="report__section">
        <h4 className="report__heading">Site</h4>
        <SiteFigures report={r} />
      </section>
      <section className="report__section">
        <h4 className="report__heading">Coverage</h4>
        <Coverage rows={r.coverage} />
      </section>
      <Change change={r.trigger === 'AUTO_24H' ? (r.change_since_12h ?? null) : undefined} />
    </article>
  );
}
