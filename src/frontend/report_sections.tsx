import { ReactNode } from 'react';
import Button from '@atlaskit/button/new';
import DynamicTable from '@atlaskit/dynamic-table';
import Lozenge from '@atlaskit/lozenge';
import { Box, Stack, Text } from '@atlaskit/primitives';
import type { AdminPageView, ReportResponse, AdminResult } from '../admin/contract';
import { downloadReport, siteName } from './report_download';
import { readReport } from './report_reading';
import { OpenReport, ReportView, useSiteUrl } from './report_view';
import { rt, rtParts } from './report_words';
import { ActionWithReason, Section } from './status_sections';
import { Instant, PersonName, Sentence, usePresentation } from './viewer_context';
import { AUDIT_LABELS, inWords, REPORT_KINDS, TRIGGER_TITLES } from './words';

/** The stored reports (with the one open) and the audit log of administrators' actions. */

function Empty({ children, testId }: { children: ReactNode; testId?: string }) {
  return (
    <Box padding="space.300" testId={testId}>
      <Text as="p" align="center" color="color.text.subtle">
        {children}
      </Text>
    </Box>
  );
}

/** A row's downloads: the report is fetched when asked for, then saved as CSV or JSON. */
function RowDownloads(props: {
  reportKey: string;
  disabled: boolean;
  fetchReport: (key: string) => Promise<Extract<AdminResult<ReportResponse>, { ok: true }> | null>;
}) {
  const siteUrl = useSiteUrl();
  const { timeZone } = usePresentation().viewer;
  const download = (format: 'csv' | 'json') =>
    void props.fetchReport(props.reportKey).then((found) => {
      if (!found) return;
      const report = readReport(found.report);
      downloadReport(found.report, report, format, { site: siteName(siteUrl, report.cloudId), timeZone });
    });
  return (
    <>
      <Button
        appearance="subtle"
        spacing="compact"
        isDisabled={props.disabled}
        testId="download-row-csv"
        aria-label={rt('action.downloadCsv.label')}
        onClick={() => download('csv')}
      >
        {rt('action.csv')}
      </Button>
      <Button
        appearance="subtle"
        spacing="compact"
        isDisabled={props.disabled}
        testId="download-row"
        aria-label={rt('action.downloadJson.label')}
        onClick={() => download('json')}
      >
        {rt('action.json')}
      </Button>
    </>
  );
}

export function ReportsSection(props: {
  view: AdminPageView;
  open: OpenReport | null;
  loadingKey: string | null;
  blocked: boolean;
  onGenerate: () => void;
  confirmation: ReactNode;
  onOpen: (key: string) => void;
  onClose: () => void;
  fetchReport: (key: string) => Promise<Extract<AdminResult<ReportResponse>, { ok: true }> | null>;
}) {
  const { view } = props;
  const rows = view.reports.map((r) => {
    const kind = REPORT_KINDS[r.kind];
    return {
      key: r.key,
      testId: 'report-row',
      'data-kind': r.kind,
      isHighlighted: props.open?.key === r.key,
      cells: [
        {
          key: 'report',
          content: (
            <Stack space="space.050">
              <Box>
                <Lozenge appearance={kind.appearance}>{kind.label}</Lozenge>
              </Box>
              <Text size="small" color="color.text.subtle">
                {r.kind === 'REPLACED' && r.trigger !== 'MANUAL'
                  ? rt('reports.former', { title: TRIGGER_TITLES[r.trigger] })
                  : r.attempt !== null
                    ? rt('reports.attempt', { attempt: r.attempt })
                    : ''}
              </Text>
            </Stack>
          ),
        },
        {
          key: 'generated',
          content: (
            <Stack space="space.050">
              <Instant at={r.generatedAt} />
              {r.replacedAt && (
                <Text size="small" color="color.text.subtle">
                  {rtParts('reports.setAside', {}, { at: <Instant key="at" at={r.replacedAt} /> })}
                </Text>
              )}
            </Stack>
          ),
        },
        {
          key: 'by',
          content: r.by ? (
            <PersonName accountId={r.by} />
          ) : (
            <Text color="color.text.subtle">{rt('reports.scheduler')}</Text>
          ),
        },
        {
          key: 'actions',
          content: (
            <div className="table-actions">
              <Button
                appearance="subtle"
                spacing="compact"
                onClick={() => props.onOpen(r.key)}
                isDisabled={props.loadingKey !== null}
                testId="view-report"
              >
                {props.loadingKey === r.key ? rt('action.opening') : rt('action.view')}
              </Button>
              <RowDownloads reportKey={r.key} disabled={props.loadingKey !== null} fetchReport={props.fetchReport} />
            </div>
          ),
        },
      ],
    };
  });
  return (
    <Section
      id="reports-heading"
      title={rt('reports.title')}
      actions={
        <ActionWithReason
          label={rt('reports.generate')}
          appearance="primary"
          availability={{
            allowed: view.manualReport.allowed,
            reason: view.manualReport.allowed ? rt('reports.generate.reason') : view.manualReport.reason,
          }}
          blocked={props.blocked}
          onClick={props.onGenerate}
          testId="generate-manual"
        />
      }
    >
      {props.confirmation}
      <Text as="p" color="color.text.subtle">
        {rt('reports.intro', { kept: view.limits.manualReportsKept })}
      </Text>
      <div className="table-frame" data-testid="reports-table">
        <DynamicTable
          label={rt('reports.title')}
          isFixedSize
          head={{
            cells: [
              { key: 'report', content: rt('reports.column.report'), width: 18 },
              { key: 'generated', content: rt('reports.column.generated'), width: 28 },
              { key: 'by', content: rt('reports.column.by'), width: 22 },
              { key: 'actions', content: rt('reports.column.actions'), width: 32 },
            ],
          }}
          rows={rows}
          emptyView={<Empty testId="no-reports">{rt('reports.empty')}</Empty>}
        />
      </div>
      {props.open && <ReportView open={props.open} onClose={props.onClose} />}
    </Section>
  );
}

export function AuditLog({ view }: { view: AdminPageView }) {
  return (
    <Section id="audit-heading" title={rt('audit.title')}>
      <div className="table-frame" data-testid="audit-table">
        <DynamicTable
          label={rt('audit.title')}
          isFixedSize
          head={{
            cells: [
              { key: 'when', content: rt('audit.column.when'), width: 22 },
              { key: 'who', content: rt('audit.column.who'), width: 22 },
              { key: 'action', content: rt('audit.column.action'), width: 22 },
              { key: 'detail', content: rt('audit.column.outcome'), width: 34 },
            ],
          }}
          rows={view.audit.map((e) => ({
            key: e.key,
            testId: 'audit-row',
            cells: [
              { key: 'when', content: <Instant at={e.at} /> },
              { key: 'who', content: <PersonName accountId={e.accountId} /> },
              {
                key: 'action',
                content: (
                  <Stack space="space.050">
                    <span>{AUDIT_LABELS[e.action]}</span>
                    {e.trigger && (
                      <Text size="small" color="color.text.subtle">
                        {TRIGGER_TITLES[e.trigger]}
                      </Text>
                    )}
                  </Stack>
                ),
              },
              {
                key: 'detail',
                content: (
                  <Stack space="space.050">
                    <Box>
                      <Lozenge appearance={e.outcome === 'done' ? 'success' : 'removed'}>
                        {e.outcome === 'done' ? rt('audit.done') : rt('audit.failed')}
                      </Lozenge>
                    </Box>
                    <Text size="small">
                      <Sentence text={inWords(e.detail)} />
                    </Text>
                  </Stack>
                ),
              },
            ],
          }))}
          emptyView={<Empty>{rt('audit.empty')}</Empty>}
        />
      </div>
    </Section>
  );
}
