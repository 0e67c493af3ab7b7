import { ReactNode } from 'react';
import Button from '@atlaskit/button/new';
import DynamicTable from '@atlaskit/dynamic-table';
import Lozenge from '@atlaskit/lozenge';
import { Box, Stack, Text } from '@atlaskit/primitives';
import type { AdminPageView, ReportResponse, AdminResult } from '../admin/contract';
import { OpenReport, downloadJson, reportFileName, ReportView } from './report_view';
import { ActionWithReason, Section } from './status_sections';
import { Instant, PersonName, Sentence } from './viewer_context';
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
                  ? `Former ${TRIGGER_TITLES[r.trigger]}`
                  : r.attempt !== null
                    ? `Attempt ${r.attempt}`
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
                  Set aside <Instant at={r.replacedAt} />
                </Text>
              )}
            </Stack>
          ),
        },
        {
          key: 'by',
          content: r.by ? <PersonName accountId={r.by} /> : <Text color="color.text.subtle">The scheduler</Text>,
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
                {props.loadingKey === r.key ? 'Opening…' : 'View'}
              </Button>
              <Button
                appearance="subtle"
                spacing="compact"
                isDisabled={props.loadingKey !== null}
                testId="download-row"
                onClick={() =>
                  void props.fetchReport(r.key).then((found) => {
                    if (found) downloadJson(reportFileName(found.key), found.report);
                  })
                }
              >
                Download JSON
              </Button>
            </div>
          ),
        },
      ],
    };
  });
  return (
    <Section
      id="reports-heading"
      title="Stored reports"
      actions={
        <ActionWithReason
          label="Generate manual report"
          appearance="primary"
          availability={{
            allowed: view.manualReport.allowed,
            reason: view.manualReport.allowed ? 'Reads the site now and keeps a snapshot.' : view.manualReport.reason,
          }}
          blocked={props.blocked}
          onClick={props.onGenerate}
          testId="generate-manual"
        />
      }
    >
      {props.confirmation}
      <Text as="p" color="color.text.subtle">
        The 12- and 24-hour reports are made once each by the app. Manual reports are snapshots on request; the newest{' '}
        {view.limits.manualReportsKept} are kept.
      </Text>
      <div className="table-frame" data-testid="reports-table">
        <DynamicTable
          label="Stored reports"
          isFixedSize
          head={{
            cells: [
              { key: 'report', content: 'Report', width: 20 },
              { key: 'generated', content: 'Generated', width: 30 },
              { key: 'by', content: 'Requested by', width: 24 },
              { key: 'actions', content: 'Actions', width: 26 },
            ],
          }}
          rows={rows}
          emptyView={<Empty testId="no-reports">No reports are stored yet.</Empty>}
        />
      </div>
      {props.open && <ReportView open={props.open} onClose={props.onClose} />}
    </Section>
  );
}

export function AuditLog({ view }: { view: AdminPageView }) {
  return (
    <Section id="audit-heading" title="Audit log">
      <div className="table-frame" data-testid="audit-table">
        <DynamicTable
          label="Audit log"
          isFixedSize
          head={{
            cells: [
              { key: 'when', content: 'When', width: 22 },
              { key: 'who', content: 'Who', width: 22 },
              { key: 'action', content: 'Action', width: 22 },
              { key: 'detail', content: 'Outcome', width: 34 },
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
                        {e.outcome === 'done' ? 'Done' : 'Failed'}
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
          emptyView={<Empty>No administrator actions yet.</Empty>}
        />
      </div>
    </Section>
  );
}
