import { invoke } from '@forge/bridge';
import { useState } from 'react';
import { ADMIN_FUNCTIONS, CONFIRMATIONS } from '../admin/contract';
import type {
  ActionDone,
  AdminResult,
  PlatformCheckReport,
  ProbeVerdict,
  RunPlatformCheckPayload,
} from '../admin/contract';
import { formatInstant } from '../admin/format';
import { Button, ConfirmDialog, Lozenge, LozengeAppearance, SectionMessage } from './components';
import { downloadJson } from './report_view';

/**
 * "Check the platform": runs the app's probe suite against this site's Forge
 * platform (admin-only and audited, in the resolver) and shows what each
 * question of the assumption register got as an answer, as a table and as a
 * JSON download for a support engineer.
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
    <section className="page-section" aria-labelledby="platform-check-heading" data-testid="platform-check">
      <h2 id="platform-check-heading" className="page-section__title">
        Platform check
      </h2>
      <p className="subtle">
        Asks this site&apos;s Forge platform each question the app&apos;s design depends on, such as how a batch read
        reports a missing key, or whether the app may see every project. The check uses its own scratch storage keys,
        deletes them afterwards, and never touches the scheduler&apos;s data. It takes a few seconds and is recorded in
        the audit log.
      </p>
      <div className="page-section__actions">
        <Button onClick={() => setConfirming(true)} disabled={running} testId="run-platform-check">
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
      </div>
      {answer && !answer.ok && (
        <SectionMessage appearance="error" title="The platform check did not run" testId="platform-check-error">
          <p>{answer.error.message}</p>
        </SectionMessage>
      )}
      {report && (
        <>
          <p data-testid="platform-check-summary">
            Run {report.runId}, {formatInstant(report.finishedAt)}: {count('HOLDS')} hold, {count('DIFFERS')} differ,{' '}
            {count('COULD_NOT_CHECK')} could not be checked. {report.used.kvsRequests} storage and{' '}
            {report.used.jiraRequests} Jira requests.
            {report.leftBehind.length > 0 && ` Scratch keys left behind: ${report.leftBehind.join(', ')}.`}
          </p>
          <table className="table" data-testid="platform-check-table">
            <thead>
              <tr>
                <th>Question</th>
                <th>The app expects</th>
                <th>Answer</th>
                <th>Observed</th>
              </tr>
            </thead>
            <tbody>
              {report.results.map((r) => (
                <tr key={r.id} data-testid={`probe-${r.id}`} data-verdict={r.verdict}>
                  <td>{r.question}</td>
                  <td>{r.expected}</td>
                  <td>
                    <Lozenge appearance={VERDICT[r.verdict].appearance}>{VERDICT[r.verdict].label}</Lozenge>
                  </td>
                  <td>{r.observed}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {confirming && (
        <ConfirmDialog
          title="Run the platform check?"
          appearance="primary"
          confirmLabel="Run check"
          busy={running}
          onConfirm={() => void run()}
          onCancel={() => setConfirming(false)}
        >
          <p>
            The check sends about 20 storage and 3 Jira requests as the app, under its own scratch keys, and records
            that you ran it.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
