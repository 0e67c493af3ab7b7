import { useCallback, useEffect, useState } from 'react';
import type {
  ActionAvailability,
  AdminError,
  AdminPageView,
  AdminResult,
  Alert,
  AuditAction,
  AutoTriggerName,
  InstallationView,
  ReportSummary,
  TriggerStatus,
  TriggerView,
} from '../admin/contract';
import { formatInstant, formatRelative } from '../admin/format';
import { adminApi } from './api';
import { Button, ConfirmDialog, Lozenge, LozengeAppearance, SectionMessage, Spinner } from './components';
import { PlatformCheckView } from './platform_check_view';
import { downloadJson, reportFileName, ReportView } from './report_view';

/**
 * The Jira admin page: the scheduler at a glance, the stored reports, and the
 * four actions, each behind a confirmation. Everything shown comes from the
 * resolver's view model; the page decides nothing the resolver would not.
 */

type PageState =
  | { kind: 'loading' }
  | { kind: 'refused'; error: AdminError }
  | { kind: 'ready'; view: AdminPageView; accountId: string };

type PendingAction =
  | { kind: 'generate' }
  | { kind: 'retry'; trigger: AutoTriggerName; reason: string }
  | { kind: 'reset'; trigger: AutoTriggerName; reason: string }
  | { kind: 'record' };

type Notice = { appearance: 'success' | 'error' | 'warning'; title: string; body: string };

const STATUS: Record<TriggerStatus, { label: string; appearance: LozengeAppearance }> = {
  unscheduled: { label: 'Not scheduled', appearance: 'default' },
  waiting: { label: 'Waiting', appearance: 'default' },
  due: { label: 'Due', appearance: 'new' },
  generating: { label: 'Generating', appearance: 'inprogress' },
  backing_off: { label: 'Backing off', appearance: 'moved' },
  done: { label: 'Done', appearance: 'success' },
  missed: { label: 'Missed', appearance: 'removed' },
};

const TRIGGER_TITLES: Record<AutoTriggerName, string> = {
  AUTO_12H: '12-hour report',
  AUTO_24H: '24-hour report',
};

const AUDIT_LABELS: Record<AuditAction, string> = {
  GENERATE_MANUAL_REPORT: 'Generated a manual report',
  RETRY_TRIGGER: 'Retried now',
  RESET_TRIGGER: 'Reset',
  RECORD_INSTALLATION: 'Recorded the installation time',
  RUN_PLATFORM_CHECK: 'Ran the platform check',
};

const REPORT_KIND_LABELS: Record<ReportSummary['kind'], string> = {
  AUTO_12H: '12-hour report',
  AUTO_24H: '24-hour report',
  MANUAL: 'Manual report',
  REPLACED: 'Replaced by a reset',
};

function AlertMessage({ alert }: { alert: Alert }) {
  return (
    <SectionMessage appearance={alert.level} title={alert.title} testId="alert">
      <p>{alert.body}</p>
    </SectionMessage>
  );
}

function Installation({
  installation,
  now,
  record,
}: {
  installation: InstallationView;
  now: string;
  record: ActionAvailability & { run: () => void };
}) {
  const source =
    installation.source === 'event'
      ? {
          label: 'Installed event',
          appearance: 'success' as const,
          detail: 'Recorded by the app when Jira delivered avi:forge:installed:app.',
        }
      : installation.source === 'admin'
        ? {
            label: 'Recorded by an admin',
            appearance: 'moved' as const,
            detail: `Recorded from this page by ${installation.recordedBy ?? 'an administrator'}.`,
          }
        : installation.source === 'other'
          ? {
              label: 'Other source',
              appearance: 'default' as const,
              detail: 'The evidence names a source this app does not know.',
            }
          : null;
  return (
    <section className="page-section" aria-labelledby="installation-heading">
      <h2 id="installation-heading" className="page-section__title">
        Installation
      </h2>
      <dl className="details" data-testid="installation">
        <div className="details__row">
          <dt>Installed</dt>
          <dd>
            {installation.installedAt ? (
              <>
                {formatInstant(installation.installedAt)}{' '}
                <span className="subtle">({formatRelative(installation.installedAt, now)})</span>
              </>
            ) : (
              <Lozenge appearance="removed">{installation.status === 'missing' ? 'Not recorded' : 'Unusable'}</Lozenge>
            )}
          </dd>
        </div>
        <div className="details__row">
          <dt>Source</dt>
          <dd>
            {source ? (
              <>
                <Lozenge appearance={source.appearance}>{source.label}</Lozenge>{' '}
                <span className="subtle small">{source.detail}</span>
              </>
            ) : (
              <span className="subtle">—</span>
            )}
          </dd>
        </div>
      </dl>
      {record.allowed && (
        <div className="page-section__actions">
          <Button appearance="primary" onClick={record.run} testId="record-installation">
            Record installation time now
          </Button>
          <span className="subtle small">{record.reason}</span>
        </div>
      )}
    </section>
  );
}

function TriggerRow({
  t,
  now,
  onRetry,
  onReset,
  busy,
}: {
  t: TriggerView;
  now: string;
  onRetry: () => void;
  onReset: () => void;
  busy: boolean;
}) {
  const status = STATUS[t.status];
  return (
    <tr data-testid={`trigger-${t.trigger}`}>
      <td>
        <div className="strong">{TRIGGER_TITLES[t.trigger]}</div>
        <div className="subtle small mono">{t.trigger}</div>
      </td>
      <td>
        <span data-testid="trigger-status">
          <Lozenge appearance={status.appearance}>{status.label}</Lozenge>
        </span>
        {t.repeatedLongBackoff && (
          <span className="inline-warning" title="Backed off for 2 hours or more more than once">
            {' '}
            <Lozenge appearance="removed">Repeated long backoff</Lozenge>
          </span>
        )}
      </td>
      <td>
        <div data-testid="trigger-summary">{t.summary}</div>
        {t.lastError && t.status !== 'done' && (
          <div className="error-text small">
            Last error (attempt #{t.lastError.attempt}, {formatInstant(t.lastError.at)}): {t.lastError.message}
          </div>
        )}
      </td>
      <td>
        {t.nextEligibleAt ? (
          <>
            <div>{formatInstant(t.nextEligibleAt)}</div>
            <div className="subtle small">{formatRelative(t.nextEligibleAt, now)}</div>
          </>
        ) : (
          <span className="subtle">—</span>
        )}
      </td>
      <td className="numeric">{t.attemptCount}</td>
      <td className="actions-cell">
        <Button
          onClick={onRetry}
          disabled={busy || !t.actions.retry.allowed}
          title={t.actions.retry.reason}
          testId={`retry-${t.trigger}`}
        >
          Retry now
        </Button>
        <Button
          appearance="subtle"
          onClick={onReset}
          disabled={busy || !t.actions.reset.allowed}
          title={t.actions.reset.reason}
          testId={`reset-${t.trigger}`}
        >
          Reset
        </Button>
      </td>
    </tr>
  );
}

function Reports(props: {
  view: AdminPageView;
  open: { key: string; report: unknown } | null;
  loadingKey: string | null;
  busy: boolean;
  onGenerate: () => void;
  onOpen: (key: string) => void;
  onDownload: (key: string) => void;
  onClose: () => void;
}) {
  const { view } = props;
  return (
    <section className="page-section" aria-labelledby="reports-heading">
      <div className="page-section__header">
        <h2 id="reports-heading" className="page-section__title">
          Stored reports
        </h2>
        <Button
          appearance="primary"
          onClick={props.onGenerate}
          disabled={props.busy || !view.manualReport.allowed}
          title={view.manualReport.reason}
          testId="generate-manual"
        >
          Generate manual report
        </Button>
      </div>
      <p className="subtle">
        The 12- and 24-hour reports are made once each by the scheduler. Manual reports are snapshots on request; the
        newest {view.limits.manualReportsKept} are kept.
      </p>
      {view.reports.length === 0 ? (
        <div className="empty-state" data-testid="no-reports">
          No reports are stored yet.
        </div>
      ) : (
        <table className="table" data-testid="reports-table">
          <thead>
            <tr>
              <th>Report</th>
              <th>Generated</th>
              <th>Attempt</th>
              <th>By</th>
              <th className="actions-head">Actions</th>
            </tr>
          </thead>
          <tbody>
            {view.reports.map((r) => (
              <tr
                key={r.key}
                data-testid="report-row"
                data-kind={r.kind}
                className={props.open?.key === r.key ? 'is-selected' : undefined}
              >
                <td>
                  <Lozenge appearance={r.kind === 'MANUAL' ? 'new' : r.kind === 'REPLACED' ? 'default' : 'inprogress'}>
                    {r.kind === 'REPLACED' ? `${r.trigger} · replaced` : r.kind}
                  </Lozenge>{' '}
                  <span>{REPORT_KIND_LABELS[r.kind]}</span>
                </td>
                <td>
                  {formatInstant(r.generatedAt)}
                  {r.replacedAt && <div className="subtle small">set aside {formatInstant(r.replacedAt)}</div>}
                </td>
                <td className="numeric">{r.attempt ?? '—'}</td>
                <td className="small">{r.by ?? <span className="subtle">Scheduler</span>}</td>
                <td className="actions-cell">
                  <Button
                    appearance="link"
                    onClick={() => props.onOpen(r.key)}
                    disabled={props.loadingKey !== null}
                    testId="view-report"
                  >
                    {props.loadingKey === r.key ? 'Opening…' : 'View'}
                  </Button>
                  <Button
                    appearance="link"
                    onClick={() => props.onDownload(r.key)}
                    disabled={props.loadingKey !== null}
                  >
                    Download JSON
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {props.open && <ReportView reportKey={props.open.key} report={props.open.report} onClose={props.onClose} />}
    </section>
  );
}

function AuditLog({ view }: { view: AdminPageView }) {
  return (
    <section className="page-section" aria-labelledby="audit-heading">
      <h2 id="audit-heading" className="page-section__title">
        Audit log
      </h2>
      {view.audit.length === 0 ? (
        <div className="empty-state">No administrator actions yet.</div>
      ) : (
        <table className="table" data-testid="audit-table">
          <thead>
            <tr>
              <th>When</th>
              <th>Who</th>
              <th>Action</th>
              <th>Outcome</th>
              <th>Detail</th>
            </tr>
          </thead>
          <tbody>
            {view.audit.map((e) => (
              <tr key={e.key} data-testid="audit-row">
                <td className="nowrap">{formatInstant(e.at)}</td>
                <td className="small mono">{e.accountId}</td>
                <td>
                  {AUDIT_LABELS[e.action]}
                  {e.trigger && <span className="subtle"> · {e.trigger}</span>}
                </td>
                <td>
                  <Lozenge appearance={e.outcome === 'done' ? 'success' : 'removed'}>{e.outcome}</Lozenge>
                </td>
                <td className="small">{e.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function confirmationOf(action: PendingAction): {
  title: string;
  label: string;
  appearance: 'primary' | 'danger';
  body: string;
} {
  switch (action.kind) {
    case 'generate':
      return {
        title: 'Generate a manual report?',
        label: 'Generate',
        appearance: 'primary',
        body: 'The app reads the site from Jira now and stores a MANUAL report. The 12- and 24-hour reports are not affected.',
      };
    case 'retry':
      return { title: `Retry ${action.trigger} now?`, label: 'Retry now', appearance: 'primary', body: action.reason };
    case 'reset':
      return {
        title: `Reset ${action.trigger}?`,
        label: `Reset ${action.trigger}`,
        appearance: 'danger',
        body: action.reason,
      };
    case 'record':
      return {
        title: 'Record the installation time as now?',
        label: 'Record',
        appearance: 'primary',
        body: 'Use this only when the app was installed before its installed-event handler existed. The time is attributed to you and is never overwritten.',
      };
  }
}

export function AdminPage() {
  const [page, setPage] = useState<PageState>({ kind: 'loading' });
  const [notice, setNotice] = useState<Notice | null>(null);
  const [pending, setPending] = useState<PendingAction | null>(null);
  const [busy, setBusy] = useState(false);
  const [openReport, setOpenReport] = useState<{ key: string; report: unknown } | null>(null);
  const [loadingKey, setLoadingKey] = useState<string | null>(null);

  const load = useCallback(async () => {
    const result = await adminApi.page();
    setPage(
      result.ok
        ? { kind: 'ready', view: result.view, accountId: result.accountId }
        : { kind: 'refused', error: result.error },
    );
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  const fetchReport = async (key: string) => {
    setLoadingKey(key);
    const result = await adminApi.report(key);
    setLoadingKey(null);
    if (!result.ok) {
      setNotice({ appearance: 'error', title: 'The report could not be opened', body: result.error.message });
      return null;
    }
    return result;
  };

  const confirm = async () => {
    if (!pending) return;
    setBusy(true);
    let result: AdminResult<{ message: string; warning?: string; reportKey?: string }>;
    switch (pending.kind) {
      case 'generate':
        result = await adminApi.generateManualReport();
        break;
      case 'retry':
        result = await adminApi.retry(pending.trigger);
        break;
      case 'reset':
        result = await adminApi.reset(pending.trigger);
        break;
      case 'record':
        result = await adminApi.recordInstallation();
        break;
    }
    setBusy(false);
    setPending(null);
    if (result.ok) {
      setNotice({
        appearance: result.warning ? 'warning' : 'success',
        title: 'Done',
        body: result.warning ? `${result.message} ${result.warning}` : result.message,
      });
    } else {
      setNotice({ appearance: 'error', title: 'Nothing was changed', body: result.error.message });
    }
    await load();
  };

  if (page.kind === 'loading') {
    return (
      <main className="page page--centered">
        <Spinner label="Loading" /> <span className="subtle">Loading the scheduler status…</span>
      </main>
    );
  }
  if (page.kind === 'refused') {
    const notAllowed = page.error.code === 'NOT_ADMIN' || page.error.code === 'NO_USER';
    return (
      <main className="page">
        <PageHeader />
        <SectionMessage
          appearance={notAllowed ? 'warning' : 'error'}
          title={notAllowed ? 'You need to be a Jira administrator to use this page' : 'The page could not be loaded'}
          testId="refusal"
        >
          <p>{page.error.message}</p>
          {notAllowed && <p className="subtle small">Ask a Jira administrator of this site for help.</p>}
        </SectionMessage>
      </main>
    );
  }

  const { view } = page;
  const dialog = pending ? confirmationOf(pending) : null;
  return (
    <main className="page">
      <PageHeader
        now={view.now}
        onRefresh={() => {
          setNotice(null);
          void load();
        }}
      />
      {notice && (
        <SectionMessage
          appearance={notice.appearance}
          title={notice.title}
          testId="notice"
          actions={
            <Button appearance="link" onClick={() => setNotice(null)}>
              Dismiss
            </Button>
          }
        >
          <p>{notice.body}</p>
        </SectionMessage>
      )}
      {view.alerts.map((a) => (
        <AlertMessage key={a.title} alert={a} />
      ))}
      <Installation
        installation={view.installation}
        now={view.now}
        record={{ ...view.recordInstallation, run: () => setPending({ kind: 'record' }) }}
      />
      <section className="page-section" aria-labelledby="scheduler-heading">
        <h2 id="scheduler-heading" className="page-section__title">
          Scheduled reports
        </h2>
        <p className="subtle">
          The scheduler runs every {view.schedule.every}
          {view.schedule.wakeUps ? ', and wakes itself at each due instant in between' : ''}. After a failure it waits
          30 minutes, then 2 hours, then 24 hours between attempts.
        </p>
        <table className="table" data-testid="triggers-table">
          <thead>
            <tr>
              <th>Trigger</th>
              <th>Status</th>
              <th>Details</th>
              <th>Next eligible</th>
              <th className="numeric">Attempts</th>
              <th className="actions-head">Actions</th>
            </tr>
          </thead>
          <tbody>
            {view.triggers.map((t) => (
              <TriggerRow
                key={t.trigger}
                t={t}
                now={view.now}
                busy={busy}
                onRetry={() => setPending({ kind: 'retry', trigger: t.trigger, reason: t.actions.retry.reason })}
                onReset={() => setPending({ kind: 'reset', trigger: t.trigger, reason: t.actions.reset.reason })}
              />
            ))}
          </tbody>
        </table>
      </section>
      <Reports
        view={view}
        open={openReport}
        loadingKey={loadingKey}
        busy={busy}
        onGenerate={() => setPending({ kind: 'generate' })}
        onOpen={(key) =>
          void fetchReport(key).then((r) => {
            if (r) setOpenReport({ key: r.key, report: r.report });
          })
        }
        onDownload={(key) =>
          void fetchReport(key).then((r) => {
            if (r) downloadJson(reportFileName(r.key), r.report);
          })
        }
        onClose={() => setOpenReport(null)}
      />
      <AuditLog view={view} />
      <PlatformCheckView onAudited={() => void load()} />
      <footer className="page-footer subtle small">
        Site {view.cloudId} · times in UTC · signed in as {page.accountId}
      </footer>
      {pending && dialog && (
        <ConfirmDialog
          title={dialog.title}
          appearance={dialog.appearance}
          confirmLabel={dialog.label}
          busy={busy}
          onConfirm={() => void confirm()}
          onCancel={() => setPending(null)}
        >
          <p>{dialog.body}</p>
        </ConfirmDialog>
      )}
    </main>
  );
}

function PageHeader({ now, onRefresh }: { now?: string; onRefresh?: () => void }) {
  return (
    <header className="page-header">
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <span>Apps</span>
        <span className="breadcrumbs__separator">/</span>
        <span>Site reports</span>
      </nav>
      <div className="page-header__row">
        <h1 className="page-header__title">Site reports</h1>
        {onRefresh && (
          <Button onClick={onRefresh} testId="refresh">
            Refresh
          </Button>
        )}
      </div>
      <p className="page-header__description">
        Reports on this Jira site 12 and 24 hours after the app was installed, the scheduler that makes them, and what
        administrators have done here.{now && <> Status as of {formatInstant(now)}.</>}
      </p>
    </header>
  );
}
