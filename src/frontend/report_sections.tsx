import { ReactNode } from 'react';
import Button from '@atlaskit/button/new';
import DynamicTable from '@atlaskit/dynamic-table';
import Lozenge from '@atlaskit/lozenge';
import { Box, Stack, Text } from '@atlaskit/primitives';
import type { AdminPageView, ReportResponse, AdminResult, ReportKind } from '../admin/contract';
import { downloadReport, siteName } from './report_download';
import { readReport } from './report_reading';
import { OpenReport, ReportView, useSiteUrl } from './report_view';
import { rt, rtParts } from './report_words';
import { ActionWithReason, Section } from './status_sections';
import { Instant, PersonName, usePresentation } from './viewer_context';
import { LozengeAppearance } from './words';

/** The stored reports, with the one open. */

const KIND_APPEARANCE: Record<ReportKind, LozengeAppearance> = {
  AUTO_12H: 'inprogress',
  AUTO_24H: 'inprogress',
  MANUAL: 'new',
  REPLACED: 'default',
};

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
  onOpen: (key: string) => void;
  onClose: () => void;
  fetchReport: (key: string) => Promise<Extract<AdminResult<ReportResponse>, { ok: true }> | null>;
}) {
  const { view } = props;
  const rows = view.reports.map((r) => {
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
                <Lozenge appearance={KIND_APPEARANCE[r.kind]}>{rt(`kind.${r.kind}`)}</Lozenge>
              </Box>
              <Text size="small" color="color.text.subtle">
                {r.kind === 'REPLACED' && r.trigger !== 'MANUAL'
                  ? rt('reports.former', { title: rt(`title.${r.trigger}`) })
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
