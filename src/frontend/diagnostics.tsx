import { invoke, showFlag } from '@forge/bridge';
import { useState } from 'react';
import Button from '@atlaskit/button/new';
import DynamicTable from '@atlaskit/dynamic-table';
import Heading from '@atlaskit/heading';
import Lozenge from '@atlaskit/lozenge';
import { Inline, Stack, Text } from '@atlaskit/primitives';
import { ADMIN_FUNCTIONS, CONFIRMATIONS } from '../admin/contract';
import type {
  ActionDone,
  AdminPageView,
  AdminResult,
  PlatformCheckReport,
  ProbeVerdict,
  RunPlatformCheckPayload,
} from '../admin/contract';
import { errorWords } from './errors';
import { askToConfirm } from './confirm_request';
import { downloadJson } from './report_view';
import { Instant, T, useWords } from './viewer_context';
import { LozengeAppearance } from './words';

/**
 * Diagnostics, addressed to the vendor's support and collapsed until opened:
 * the platform check (the app's questions to this site's Forge platform), in a
 * plain summary, and one JSON download with everything support needs: the
 * check's answers, the page's status as the resolver sent it, and the records
 * the page could not read. The answers themselves are support material, in
 * English, as the assumption register asks them.
 */

const VERDICT: Record<ProbeVerdict, { label: string; appearance: LozengeAppearance }> = {
  HOLDS: { label: 'Holds', appearance: 'success' },
  DIFFERS: { label: 'Differs', appearance: 'moved' },
  COULD_NOT_CHECK: { label: 'Could not check', appearance: 'default' },
};

type CheckAnswer = AdminResult<ActionDone & { report: PlatformCheckReport }>;

async function runCheck(): Promise<CheckAnswer> {
  const payload: RunPlatformCheckPayload = { confirmation: CONFIRMATIONS.runPlatformCheck() };
  try {
    return (await invoke(ADMIN_FUNCTIONS.runPlatformCheck, { ...payload })) as CheckAnswer;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, error: { code: 'UNREACHABLE', message: `The app could not be reached: ${message}` } };
  }
}

function fileDate(iso: string): string {
  return iso.slice(0, 16).replace(/[:T]/g, '-');
}

export function Diagnostics(props: {
  view: AdminPageView;
  open: boolean;
  onToggle: (open: boolean) => void;
  blocked: boolean;
  onAudited: () => void;
}) {
  const { say, t } = useWords();
  const [running, setRunning] = useState(false);
  const [report, setReport] = useState<PlatformCheckReport | null>(null);
  const { view } = props;

  const run = async () => {
    const answer = await askToConfirm({ action: 'platformCheck', now: view.now }).catch(() => null);
    if (!answer) return;
    setRunning(true);
    const result = await runCheck();
    setRunning(false);
    if (!result.ok) {
      showFlag({
        id: `platform-check-${Date.now()}`,
        type: 'error',
        title: t('flag.refused.title'),
        description: say(errorWords(result.error)),
      });
      return;
    }
    setReport(result.report);
    props.onAudited();
  };

  const count = (v: ProbeVerdict) => report?.results.filter((r) => r.verdict === v).length ?? 0;
  const bundle = () => ({
    about: 'Site reports app: diagnostics for the vendor’s support',
    downloadedAt: new Date().toISOString(),
    cloudId: view.cloudId,
    problems: { state: view.stateProblem, records: view.recordProblems },
    lastErrors: view.triggers.map((t0) => ({ trigger: t0.trigger, status: t0.status, lastError: t0.lastError })),
    status: view,
    platformCheck: report,
  });
  return (
    <section className="page-section" aria-labelledby="diagnostics-heading" data-testid="diagnostics">
      <Stack space="space.100">
        <Heading size="medium" as="h2" id="diagnostics-heading">
          <button
            type="button"
            id="diagnostics-toggle"
            className="disclosure"
            aria-expanded={props.open}
            aria-controls="diagnostics-body"
            onClick={() => props.onToggle(!props.open)}
          >
            <span className="disclosure__chevron" aria-hidden="true" />
            <T k="diagnostics.heading" />
          </button>
        </Heading>
        <Text as="p" color="color.text.subtle">
          <T k="diagnostics.for" />
        </Text>
      </Stack>
      <div id="diagnostics-body" hidden={!props.open} className="diagnostics__body">
        <Stack space="space.200">
          <Text as="p" color="color.text.subtle">
            <T k="diagnostics.intro" />
          </Text>
          <Text as="p" testId="platform-check-summary">
            {report ? (
              <T
                k="diagnostics.summary"
                params={{
                  at: { at: report.finishedAt },
                  total: report.results.length,
                  holds: count('HOLDS'),
                  differ: count('DIFFERS'),
                  unknown: count('COULD_NOT_CHECK'),
                }}
              />
            ) : (
              <T k="diagnostics.notRun" />
            )}
          </Text>
          <Inline space="space.100" shouldWrap>
            <Button
              onClick={() => void run()}
              isDisabled={running || props.blocked}
              isLoading={running}
              testId="run-platform-check"
            >
              <T k="diagnostics.run" />
            </Button>
            <Button
              onClick={() =>
                downloadJson(`site-reports-diagnostics-${view.cloudId}-${fileDate(view.now)}.json`, bundle())
              }
              testId="download-diagnostics"
            >
              <T k="diagnostics.download" />
            </Button>
          </Inline>
          {report && (
            <Stack space="space.100">
              <Heading size="xsmall" as="h3">
                <T k="diagnostics.answers" />
              </Heading>
              <Text as="p" size="small" color="color.text.subtle">
                <T k="diagnostics.answersNote" params={{ run: report.runId }} /> <Instant at={report.finishedAt} />
              </Text>
              <div className="table-frame" data-testid="platform-check-table" lang="en">
                <DynamicTable
                  label="Platform check"
                  isFixedSize
                  head={{
                    cells: [
                      { key: 'question', content: 'Question', width: 30 },
                      { key: 'expected', content: 'The app expects', width: 25 },
                      { key: 'answer', content: 'Answer', width: 15 },
                      { key: 'observed', content: 'Observed', width: 30 },
                    ],
                  }}
                  rows={report.results.map((r) => ({
                    key: r.id,
                    testId: `probe-${r.id}`,
                    'data-verdict': r.verdict,
                    cells: [
                      { key: 'question', content: r.question },
                      { key: 'expected', content: r.expected },
                      {
                        key: 'answer',
                        content: (
                          <Lozenge appearance={VERDICT[r.verdict].appearance}>{VERDICT[r.verdict].label}</Lozenge>
                        ),
                      },
                      { key: 'observed', content: r.observed },
                    ],
                  }))}
                />
              </div>
            </Stack>
          )}
          {(view.stateProblem || view.recordProblems.length > 0) && (
            <Stack space="space.050">
              <Heading size="xsmall" as="h3">
                <T k="diagnostics.records" />
              </Heading>
              <ul className="diagnostics__list" lang="en" data-testid="record-problems">
                {[view.stateProblem, ...view.recordProblems].filter(Boolean).map((p) => (
                  <li key={p}>{p}</li>
                ))}
              </ul>
            </Stack>
          )}
        </Stack>
      </div>
    </section>
  );
}
