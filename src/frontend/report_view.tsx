import { Fragment, ReactNode, useEffect, useMemo, useRef, useState } from 'react';
import { view } from '@forge/bridge';
import Button from '@atlaskit/button/new';
import DynamicTable from '@atlaskit/dynamic-table';
import Heading from '@atlaskit/heading';
import Lozenge from '@atlaskit/lozenge';
import { Inline, Stack, Text } from '@atlaskit/primitives';
import type { ChangedItem } from '../phase5/report';
import { formatDuration } from '../admin/format';
import { downloadReport, siteName } from './report_download';
import { Activity, CatalogueChange, FigureKey, FigureRow, ReadReport, readReport } from './report_reading';
import { FIGURE_WORDS, ReportMessageKey, rt, rtCode, rtCount, rtParts } from './report_words';
import { Instant, usePresentation } from './viewer_context';
import type { LozengeAppearance } from './words';
import './report_view.css';

export { downloadJson } from './report_download';

/**
 * One stored report, readable: what it is for, the site's figures (beside the
 * 12-hour report's, for the 24-hour one, with the changes and rates), the most
 * active projects, the configuration's changes, and what could not be read and
 * why. It renders readReport's reading of the stored report, the same one the
 * CSV download writes, so the page and the file never disagree.
 */

const COVERAGE_APPEARANCE: Record<string, LozengeAppearance> = {
  available: 'success',
  partial: 'moved',
  unavailable: 'removed',
};

function useNumbers() {
  const { locale } = usePresentation().viewer;
  return useMemo(() => {
    const whole = new Intl.NumberFormat(locale);
    const tenths = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
    const missing = rt('figure.missing');
    return {
      num: (v: number | null | undefined) => (typeof v === 'number' ? whole.format(v) : missing),
      rate: (v: number | null | undefined) => (typeof v === 'number' ? tenths.format(v) : missing),
      signed: (v: number | null | undefined, fraction = false) => {
        if (typeof v !== 'number') return missing;
        if (v === 0) return rt('change.zero');
        const text = (fraction ? tenths : whole).format(Math.abs(v));
        return v > 0 ? `+${text}` : `−${text}`;
      },
    };
  }, [locale]);
}

/** A figure's value, with ≈ when Jira only estimates it. */
function FigureValue({ row, value }: { row: Pick<FigureRow, 'accuracy'>; value: string }) {
  if (row.accuracy !== 'approximate' || value === rt('figure.missing')) return <>{value}</>;
  return <span title={rt('figure.approximateNote')}>{rt('figure.approximate', { value })}</span>;
}

/** Message parts in order, React nodes among them. */
function Parts({ parts }: { parts: ReactNode[] }) {
  return (
    <>
      {parts.map((part, i) => (
        <Fragment key={i}>{part}</Fragment>
      ))}
    </>
  );
}

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section className="report__section" aria-labelledby={id}>
      <Stack space="space.100">
        <Heading size="xsmall" as="h4" id={id}>
          {title}
        </Heading>
        {children}
      </Stack>
    </section>
  );
}

function Breakdown({ rows }: { rows: Array<[string, string]> }) {
  if (rows.length === 0) return null;
  return (
    <dl className="breakdown">
      {rows.map(([k, v]) => (
        <div key={k} className="breakdown__row">
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

function SiteNow({ report }: { report: ReadReport }) {
  const { num } = useNumbers();
  const figure = (key: FigureKey) => report.figures.find((f) => f.key === key) as FigureRow;
  const card = (key: FigureKey, note?: ReactNode) => (
    <div className="figure" key={key}>
      <Stack space="space.050">
        <Text size="small" weight="medium" color="color.text.subtle">
          {rt(FIGURE_WORDS[key])}
        </Text>
        <span className="figure__value">
          <FigureValue row={figure(key)} value={num(figure(key).value)} />
        </span>
        {note}
      </Stack>
    </div>
  );
  const issues = figure('issuesCreated');
  return (
    <div className="figures" data-testid="report-figures">
      {card('projects', <Breakdown rows={report.projectTypes.map(([k, v]) => [rtCode('projectType', k), num(v)])} />)}
      {card(
        'issues',
        <Breakdown
          rows={[
            [
              rt('figure.createdShort'),
              issues.value === null ? num(null) : rt('figure.approximate', { value: num(issues.value) }),
            ],
            [
              rt('figure.updatedShort'),
              figure('issuesUpdated').value === null
                ? num(null)
                : rt('figure.approximate', { value: num(figure('issuesUpdated').value) }),
            ],
          ]}
        />,
      )}
      {card('customFields')}
      {card('issueTypes')}
      {card(
        'statuses',
        <Breakdown rows={report.statusCategories.map(([k, v]) => [rtCode('statusCategory', k), num(v)])} />,
      )}
    </div>
  );
}

function Comparison({ report }: { report: ReadReport }) {
  const { num, rate, signed } = useNumbers();
  const c = report.comparison;
  if (c.status === 'not_applicable') return null;
  return (
    <Section id="report-comparison-heading" title={rt('section.comparison')}>
      {c.status === 'no_12h' && (
        <Text as="p" color="color.text.subtle">
          {rt('comparison.none')}
        </Text>
      )}
      {c.status === 'unavailable' && (
        <Text as="p" color="color.text.subtle">
          {rt('comparison.unavailable', { detail: c.detail ?? rt('figure.missing') })}
        </Text>
      )}
      {c.status === 'compared' && (
        <>
          <Text as="p" size="small" color="color.text.subtle">
            <Parts
              parts={rtParts(
                'comparison.caption',
                { hours: rate(c.hoursBetween) },
                { at: <Instant at={c.twelveHourAt} /> },
              )}
            />
          </Text>
          <div className="table-frame report__numbers" data-testid="comparison-table">
            <DynamicTable
              label={rt('section.comparison')}
              isFixedSize
              head={{
                cells: [
                  { key: 'figure', content: rt('comparison.figure'), width: 36 },
                  { key: 'twelve', content: rt('comparison.twelveHour'), width: 16 },
                  { key: 'now', content: rt('comparison.twentyFourHour'), width: 16 },
                  { key: 'change', content: rt('comparison.change'), width: 14 },
                  { key: 'rate', content: rt('comparison.perHour'), width: 18 },
                ],
              }}
              rows={report.figures.map((f) => ({
                key: f.key,
                testId: 'comparison-row',
                cells: [
                  { key: 'figure', content: rt(FIGURE_WORDS[f.key]) },
                  { key: 'twelve', content: <FigureValue row={f} value={num(f.twelveHour)} /> },
                  { key: 'now', content: <FigureValue row={f} value={num(f.value)} /> },
                  { key: 'change', content: signed(f.change) },
                  { key: 'rate', content: f.perHour === undefined ? '' : signed(f.perHour, true) },
                ],
              }))}
            />
          </div>
          <Stack space="space.050">
            {(
              [
                ['comparison.createdRate', c.rates.createdFirst, c.rates.createdBetween],
                ['comparison.updatedRate', c.rates.updatedFirst, c.rates.updatedBetween],
              ] as const
            ).map(([key, first, between]) => (
              <Text as="p" key={key} testId="comparison-rate">
                {rt(key, { first: rate(first), between: rate(between), window: rate(c.firstWindowHours) })}
              </Text>
            ))}
          </Stack>
        </>
      )}
    </Section>
  );
}

function activityNote(a: Extract<Activity, { status: 'read' }>, locale: string, num: (v: number | null) => string) {
  const params = { active: num(a.active), total: num(a.total), counted: num(a.projects.length), read: num(a.read) };
  const notes: string[] = [];
  if (a.listingSampled) notes.push(rt('activity.sampledListing', params));
  if (!a.sampled) notes.push(rtCount('activity.all', a.active ?? 0, locale, params));
  else
    notes.push(rt(a.pickedBy === 'growth_since_12h' ? 'activity.sampledByGrowth' : 'activity.sampledByRecent', params));
  return notes.join(' ');
}

function ActivityTable({ report }: { report: ReadReport }) {
  const { num } = useNumbers();
  const { locale } = usePresentation().viewer;
  const a = report.activity;
  return (
    <Section id="report-activity-heading" title={rt('section.activity')}>
      {a.status === 'missing' && (
        <Text as="p" color="color.text.subtle">
          {rt('activity.missing')}
        </Text>
      )}
      {a.status === 'noInstallation' && (
        <Text as="p" color="color.text.subtle">
          {rt('activity.noInstallation')}
        </Text>
      )}
      {a.status === 'unavailable' && (
        <Text as="p" color="color.text.subtle">
          {rt('activity.unavailable')}
        </Text>
      )}
      {a.status === 'read' && a.projects.length === 0 && !a.listingSampled && (
        <Text as="p" color="color.text.subtle">
          {rt('activity.none')}
        </Text>
      )}
      {a.status === 'read' && (a.projects.length > 0 || a.listingSampled) && (
        <>
          <Inline space="space.100" alignBlock="center" shouldWrap>
            {(a.sampled || a.listingSampled) && <Lozenge appearance="moved">{rt('activity.sampled')}</Lozenge>}
            <Text as="p" size="small" color="color.text.subtle" testId="activity-note">
              {activityNote(a, locale, num)}
            </Text>
          </Inline>
          <div className="table-frame report__numbers" data-testid="activity-table">
            <DynamicTable
              label={rt('section.activity')}
              isFixedSize
              head={{
                cells: [
                  { key: 'project', content: rt('activity.project'), width: 30 },
                  { key: 'type', content: rt('activity.type'), width: 20 },
                  { key: 'created', content: rt('activity.created'), width: 13 },
                  { key: 'updated', content: rt('activity.updated'), width: 13 },
                  { key: 'last', content: rt('activity.lastChange'), width: 24 },
                ],
              }}
              rows={a.projects.map((p) => ({
                key: p.id,
                testId: 'activity-row',
                cells: [
                  { key: 'project', content: rt('activity.projectCell', { name: p.name, key: p.key }) },
                  { key: 'type', content: rtCode('projectType', p.type) },
                  { key: 'created', content: num(p.created) },
                  { key: 'updated', content: num(p.updated) },
                  { key: 'last', content: <Instant at={p.lastChange} /> },
                ],
              }))}
            />
          </div>
        </>
      )}
    </Section>
  );
}

function itemText(x: ChangedItem): string {
  if (x.name) return rt('activity.projectCell', { name: x.name, key: x.label ?? x.id });
  return x.label ?? rt('configuration.byId', { id: x.id });
}

function ChangedList({ label, count, items }: { label: string; count: number; items: ChangedItem[] }) {
  const { num } = useNumbers();
  if (count === 0) return null;
  return (
    <div className="changes__list">
      <Text weight="medium">{label}</Text>
      <ul>
        {items.map((x) => (
          <li key={x.id}>{itemText(x)}</li>
        ))}
        {count > items.length && (
          <li className="subtle">{rt('configuration.more', { count: num(count - items.length) })}</li>
        )}
      </ul>
    </div>
  );
}

function ConfigurationChanges({ report }: { report: ReadReport }) {
  const { num } = useNumbers();
  if (report.comparison.status !== 'compared') return null;
  const changes = report.configuration;
  return (
    <Section id="report-configuration-heading" title={rt('section.configuration')}>
      {changes === null ? (
        <Text as="p" color="color.text.subtle">
          {rt('comparison.older')}
        </Text>
      ) : (
        <dl className="changes" data-testid="configuration-changes">
          {changes.map((c: CatalogueChange) => (
            <div
              key={c.catalogue}
              className="changes__row"
              data-testid="configuration-row"
              data-catalogue={c.catalogue}
            >
              <dt>{rtCode('configuration', c.catalogue)}</dt>
              <dd>
                {c.status === 'not_compared' ? (
                  <Text color="color.text.subtle">{rtCode('configuration', c.reason)}</Text>
                ) : c.addedCount + c.removedCount === 0 ? (
                  <Text color="color.text.subtle">{rt('configuration.noChange')}</Text>
                ) : (
                  <Inline space="space.300" shouldWrap>
                    <ChangedList
                      label={rt('configuration.added', { count: num(c.addedCount) })}
                      count={c.addedCount}
                      items={c.added}
                    />
                    <ChangedList
                      label={rt('configuration.removed', { count: num(c.removedCount) })}
                      count={c.removedCount}
                      items={c.removed}
                    />
                  </Inline>
                )}
              </dd>
            </div>
          ))}
        </dl>
      )}
    </Section>
  );
}

function Coverage({ report }: { report: ReadReport }) {
  return (
    <Section id="report-coverage-heading" title={rt('section.coverage')}>
      <div className="table-frame" data-testid="coverage-table">
        <DynamicTable
          label={rt('section.coverage')}
          isFixedSize
          head={{
            cells: [
              { key: 'dataset', content: rt('coverage.data'), width: 22 },
              { key: 'coverage', content: rt('coverage.coverage'), width: 20 },
              { key: 'reason', content: rt('coverage.why'), width: 58 },
            ],
          }}
          rows={report.coverage.map((row, i) => ({
            key: `${row.dataset}-${i}`,
            testId: 'coverage-row',
            cells: [
              { key: 'dataset', content: rtCode('dataset', row.dataset) },
              {
                key: 'coverage',
                content: (
                  <Lozenge appearance={COVERAGE_APPEARANCE[row.status] ?? 'default'}>
                    {rtCode('coverage', row.status)}
                  </Lozenge>
                ),
              },
              {
                key: 'reason',
                content: (
                  <Stack space="space.050">
                    {row.reason ? (
                      <Text weight="medium">{rtCode('reason', row.reason)}</Text>
                    ) : (
                      <Text color="color.text.subtle">{rt('figure.missing')}</Text>
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
              {rt('coverage.empty')}
            </Text>
          }
        />
      </div>
    </Section>
  );
}

let siteUrl: Promise<string | null> | null = null;

/** The site's URL from the Forge context (asked once per page), or null where the host gives none. */
export function useSiteUrl(): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    siteUrl ??= view.getContext().then(
      (context) => {
        const value = (context as { siteUrl?: unknown }).siteUrl;
        return typeof value === 'string' ? value : null;
      },
      () => null,
    );
    let live = true;
    void siteUrl.then((value) => live && setUrl(value));
    return () => {
      live = false;
    };
  }, []);
  return url;
}

export interface OpenReport {
  key: string;
  report: unknown;
  /** Changes on every open, so opening the same report again brings it back into view. */
  openedAt: number;
}

/** The two download buttons for a report, named with the site and the report's date. */
export function ReportDownloads({
  raw,
  report,
  compact = false,
}: {
  raw: unknown;
  report: ReadReport;
  compact?: boolean;
}) {
  const { viewer } = usePresentation();
  const where = { site: siteName(useSiteUrl(), report.cloudId), timeZone: viewer.timeZone };
  return (
    <>
      <Button
        appearance={compact ? 'subtle' : 'default'}
        spacing={compact ? 'compact' : 'default'}
        onClick={() => downloadReport(raw, report, 'csv', where)}
        testId={compact ? 'download-row-csv' : 'download-report-csv'}
      >
        {rt(compact ? 'action.csv' : 'action.downloadCsv')}
      </Button>
      <Button
        appearance={compact ? 'subtle' : 'default'}
        spacing={compact ? 'compact' : 'default'}
        onClick={() => downloadReport(raw, report, 'json', where)}
        testId={compact ? 'download-row' : 'download-report'}
      >
        {rt(compact ? 'action.json' : 'action.downloadJson')}
      </Button>
    </>
  );
}

/**
 * The open report. Opening it moves focus to its heading and scrolls it into
 * view (in Jira this scrolls the page around the frame), so a keyboard user
 * lands on what they opened, not on `<body>` with the report below the fold.
 */
export function ReportView({ open, onClose }: { open: OpenReport; onClose: () => void }) {
  const { num, rate } = useNumbers();
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    const heading = headingRef.current;
    if (!heading) return;
    heading.focus({ preventScroll: true });
    heading.scrollIntoView({ block: 'start' });
  }, [open.key, open.openedAt]);
  const report = useMemo(() => readReport(open.report), [open.report]);
  const title = rt(`title.${report.kind}` as ReportMessageKey);
  const duration = report.durationMs === null ? rt('figure.missing') : formatDuration(report.durationMs);

  return (
    <article className="report" data-testid="report-view" aria-labelledby="report-view-heading">
      <Stack space="space.300">
        <Inline spread="space-between" alignBlock="start" shouldWrap space="space.100">
          <Stack space="space.075">
            <h3 className="report__title" id="report-view-heading" tabIndex={-1} ref={headingRef}>
              <Parts parts={rtParts('header.generated', { title }, { at: <Instant at={report.generatedAt} /> })} />
            </h3>
            <Text as="p" size="small" color="color.text.subtle">
              {report.installedAt === null ? (
                rt('header.noInstallation')
              ) : (
                <Parts
                  parts={rtParts(
                    'header.window',
                    { hours: rate(report.windowHours) },
                    { installedAt: <Instant at={report.installedAt} /> },
                  )}
                />
              )}
              {' · '}
              {rt('header.attempt', { attempt: num(report.attempt) })}
              {' · '}
              {rt('header.requests', { requests: num(report.jiraRequests), duration })}
              {' · '}
              {rt('header.version', { version: report.appVersion ?? rt('header.versionUnknown') })}
            </Text>
          </Stack>
          <Inline space="space.100">
            <ReportDownloads raw={open.report} report={report} />
            <Button appearance="subtle" onClick={onClose} testId="close-report">
              {rt('action.close')}
            </Button>
          </Inline>
        </Inline>
        <div className="report__purpose" data-testid="report-purpose">
          <Stack space="space.050">
            <Text weight="bold">{rt('purpose.title')}</Text>
            <Text as="p">{rt(`purpose.${report.kind}` as ReportMessageKey)}</Text>
            <Text as="p" size="small" color="color.text.subtle">
              {rt('accuracy.legend')}
            </Text>
          </Stack>
        </div>
        <Comparison report={report} />
        <Section id="report-site-heading" title={rt('section.site')}>
          <SiteNow report={report} />
        </Section>
        <ActivityTable report={report} />
        <ConfigurationChanges report={report} />
        <Coverage report={report} />
      </Stack>
    </article>
  );
}
