import { invoke } from '@forge/bridge';
import { useState } from 'react';
import Button from '@atlaskit/button/new';
import DynamicTable from '@atlaskit/dynamic-table';
import Lozenge from '@atlaskit/lozenge';
import { Inline, Text } from '@atlaskit/primitives';
import SectionMessage from '@atlaskit/section-message';
import { ADMIN_FUNCTIONS, CONFIRMATIONS } from '../admin/contract';
import type {
  ActionDone,
  AdminResult,
  PlatformCheckReport,
  ProbeVerdict,
  RunPlatformCheckPayload,
} from '../admin/contract';
import { Confirmation } from './confirmation';
import { downloadJson } from './report_view';
import { Section } from './status_sections';
import { Instant } from './viewer_context';
import { LozengeAppearance } from './words';

/**
 * "Check the platform": runs the app's probe suite against this site's Forge
 * platform (admin-only and audited, in the resolver) and shows what each
 * question of the assumption register got as an answer, as a table and as a
 * JSON download for a support engineer. Confirmed in place, like every action.
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
    return { ok: false, error: { code: 'INTERNAL_ERROR', message: `The app could not be reached: ${message}` } };
  }
}

export function PlatformCheckView({ onAudited }: { onAudited: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [running, setRunning] = useState(false);
  const [answer, setAnswer] = useState<CheckAnswer | null>(null);

  const run = async () => {
    setRunning(true);
    const result = await runCheck();
    setRunning(false);
    setConfirming(false);
    setAnswer(result);
    if (result.ok) onAudited();
  };

  const report = answer?.ok ? answer.report : null;
  const count = (v: ProbeVerdict) => report?.results.filter((r) => r.verdict === v).length ?? 0;
  return (
    <div data-testid="platform-check">
      <Section id="platform-check-heading" title="Platform check">
        <Text as="p" color="color.text.subtle">
          Asks this site&apos;s Forge platform each question the app&apos;s design depends on, such as how a batch read
          reports a missing key, or whether the app may see every project. The check uses its own scratch storage keys,
          deletes them afterwards, and never touches the scheduler&apos;s data. It takes a few seconds and is recorded
          in the audit log.
        </Text>
        <Inline space="space.100" shouldWrap>
          <Button onClick={() => setConfirming(true)} isDisabled={running} testId="run-platform-check">
            Run platform check
          </Button>
          {report && (
            <Button
              onClick={() => downloadJson(`platform-check-${report.runId}.json`, report)}
              testId="download-platform-check"
            >
              Download JSON
            </Button>
          )}
        </Inline>
        {confirming && (
          <Confirmation
            title="Run the platform check?"
            appearance="primary"
            confirmLabel="Run check"
            busy={running}
            onConfirm={() => void run()}
            onCancel={() => setConfirming(false)}
          >
            <Text as="p">
              The check sends about 20 storage and 3 Jira requests as the app, under its own scratch keys, and records
              that you ran it.
            </Text>
          </Confirmation>
        )}
        {answer && !answer.ok && (
          <SectionMessage appearance="error" title="The platform check did not run" testId="platform-check-error">
            <Text as="p">{answer.error.message}</Text>
          </SectionMessage>
        )}
        {report && (
          <>
            <Text as="p" testId="platform-check-summary">
              Run {report.runId}, <Instant at={report.finishedAt} />: {count('HOLDS')} hold, {count('DIFFERS')} differ,{' '}
              {count('COULD_NOT_CHECK')} could not be checked. {report.used.kvsRequests} storage and{' '}
              {report.used.jiraRequests} Jira requests.
              {report.leftBehind.length > 0 && ` Scratch keys left behind: ${report.leftBehind.join(', ')}.`}
            </Text>
            <div className="table-frame" data-testid="platform-check-table">
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
                      content: <Lozenge appearance={VERDICT[r.verdict].appearance}>{VERDICT[r.verdict].label}</Lozenge>,
                    },
                    { key: 'observed', content: r.observed },
                  ],
                }))}
              />
            </div>
          </>
        )}
      </Section>
    </div>
  );
}
