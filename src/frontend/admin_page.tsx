import { useCallback, useEffect, useRef, useState } from 'react';
import Button from '@atlaskit/button/new';
import Heading from '@atlaskit/heading';
import { Box, Inline, Stack, Text } from '@atlaskit/primitives';
import SectionMessage, { SectionMessageAction } from '@atlaskit/section-message';
import Spinner from '@atlaskit/spinner';
import { view as forgeView } from '@forge/bridge';
import type { AdminError, AdminPageView, AdminResult, AutoTriggerName, Person } from '../admin/contract';
import { adminApi } from './api';
import { Confirmation } from './confirmation';
import { UTC_VIEWER, Viewer, viewerFrom } from './local_time';
import { AuditLog, ReportsSection } from './report_sections';
import { PlatformCheckView } from './platform_check_view';
import { OpenReport } from './report_view';
import { InstallationSection, TriggersSection } from './status_sections';
import { PersonName, PresentationProvider, Sentence } from './viewer_context';
import { inWords, TRIGGER_TITLES } from './words';

/**
 * The Jira admin page: the scheduler at a glance, the stored reports, and the
 * four actions, each behind a confirmation shown where it was asked for.
 * Everything shown comes from the resolver's view model; the page decides
 * nothing the resolver would not, and only words and times are its own.
 */

type PageState =
  | { kind: 'loading' }
  | { kind: 'refused'; error: AdminError }
  | { kind: 'ready'; view: AdminPageView; accountId: string; people: Record<string, Person> };

export type PendingAction =
  | { kind: 'generate' }
  | { kind: 'retry'; trigger: AutoTriggerName; reason: string }
  | { kind: 'reset'; trigger: AutoTriggerName; reason: string }
  | { kind: 'record' };

interface Notice {
  appearance: 'success' | 'error' | 'warning';
  title: string;
  body: string;
  openReportKey?: string;
}

/** While a generation runs, the page asks again this often until it ends. */
const REFRESH_WHILE_GENERATING_MS = 5_000;

function generating(view: AdminPageView): boolean {
  return view.manualReport.inProgressSince !== null || view.triggers.some((t) => t.status === 'generating');
}

function confirmationOf(action: PendingAction) {
  switch (action.kind) {
    case 'generate':
      return {
        title: 'Generate a manual report now?',
        label: 'Generate report',
        appearance: 'primary' as const,
        body: 'The app reads this Jira site now and keeps the result as a manual report. The 12- and 24-hour reports are not affected.',
      };
    case 'retry':
      return {
        title: `Retry the ${TRIGGER_TITLES[action.trigger]} now?`,
        label: 'Retry now',
        appearance: 'primary' as const,
        body: action.reason,
      };
    case 'reset':
      return {
        title: `Reset the ${TRIGGER_TITLES[action.trigger]}?`,
        label: 'Reset',
        appearance: 'danger' as const,
        body: action.reason,
      };
    case 'record':
      return {
        title: 'Record the installation time as now?',
        label: 'Record time',
        appearance: 'primary' as const,
        body: 'Use this only when the app was installed before it could record its own installation. The time is attributed to you and is never overwritten.',
      };
  }
}

function doneNotice(action: PendingAction, result: { message: string; warning?: string; reportKey?: string }): Notice {
  const warning = result.warning ? ` ${result.warning}` : '';
  const appearance = result.warning ? ('warning' as const) : ('success' as const);
  switch (action.kind) {
    case 'generate':
      return {
        appearance,
        title: 'Manual report generated',
        body: `It is listed under Stored reports.${warning}`,
        openReportKey: result.reportKey,
      };
    case 'retry':
      return {
        appearance,
        title: `The ${TRIGGER_TITLES[action.trigger]} will be retried`,
        body: `Its wait is over: the scheduler attempts it on its next run.${warning}`,
      };
    case 'reset':
      return {
        appearance,
        title: `The ${TRIGGER_TITLES[action.trigger]} was reset`,
        body: `Any report it had is kept below as replaced; the scheduler makes it again from attempt 1.${warning}`,
      };
    case 'record':
      return { appearance, title: 'Installation time recorded', body: `${result.message}${warning}` };
  }
}

export function AdminPage() {
  const [page, setPage] = useState<PageState>({ kind: 'loading' });
  const [viewer, setViewer] = useState<Viewer>(UTC_VIEWER);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [pending, setPending] = useState<PendingAction | null>(null);
  const [busy, setBusy] = useState(false);
  const [openReport, setOpenReport] = useState<OpenReport | null>(null);
  const [loadingKey, setLoadingKey] = useState<string | null>(null);
  /** The control that opened the report, given focus back when the report closes. */
  const reportOpener = useRef<Element | null>(null);

  const load = useCallback(async () => {
    const result = await adminApi.page();
    setPage(
      result.ok
        ? { kind: 'ready', view: result.view, accountId: result.accountId, people: result.people ?? {} }
        : { kind: 'refused', error: result.error },
    );
  }, []);

  useEffect(() => {
    const browser = Intl.DateTimeFormat().resolvedOptions();
    forgeView.getContext().then(
      (context) => setViewer(viewerFrom(context, { locale: navigator.language, timeZone: browser.timeZone })),
      () => setViewer(viewerFrom({}, { locale: navigator.language, timeZone: browser.timeZone })),
    );
    void load();
  }, [load]);

  // While a report is being generated (here, by the scheduler, or by another admin), follow it to its end.
  const view = page.kind === 'ready' ? page.view : null;
  useEffect(() => {
    if (!view || busy || !generating(view)) return;
    const timer = setTimeout(() => void load(), REFRESH_WHILE_GENERATING_MS);
    return () => clearTimeout(timer);
  }, [view, busy, load]);

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

  const openReportByKey = (key: string) => {
    reportOpener.current = document.activeElement;
    void fetchReport(key).then((r) => {
      if (r) setOpenReport({ key: r.key, report: r.report, openedAt: Date.now() });
    });
  };

  const closeReport = () => {
    setOpenReport(null);
    const opener = reportOpener.current;
    requestAnimationFrame(() => {
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
    });
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
    await load();
    setNotice(
      result.ok
        ? doneNotice(pending, result)
        : { appearance: 'error', title: 'Nothing was changed', body: inWords(result.error.message) },
    );
    setBusy(false);
    setPending(null);
  };

  if (page.kind === 'loading') {
    return (
      <main className="page page--centered">
        <Inline space="space.100" alignBlock="center">
          <Spinner size="medium" label="Loading" />
          <Text color="color.text.subtle">Loading the scheduler status…</Text>
        </Inline>
      </main>
    );
  }
  if (page.kind === 'refused') {
    const notAllowed = page.error.code === 'NOT_ADMIN' || page.error.code === 'NO_USER';
    return (
      <main className="page">
        <Stack space="space.300">
          <PageHeader />
          <SectionMessage
            appearance={notAllowed ? 'warning' : 'error'}
            title={notAllowed ? 'You need to be a Jira administrator to use this page' : 'The page could not be loaded'}
            testId="refusal"
          >
            <Stack space="space.100">
              <Text as="p">{page.error.message}</Text>
              {notAllowed && <Text as="p">Ask a Jira administrator of this site for help.</Text>}
            </Stack>
          </SectionMessage>
        </Stack>
      </main>
    );
  }

  const dialog = pending ? confirmationOf(pending) : null;
  const confirmation =
    pending && dialog ? (
      <Confirmation
        title={dialog.title}
        appearance={dialog.appearance}
        confirmLabel={dialog.label}
        busy={busy}
        onConfirm={() => void confirm()}
        onCancel={() => setPending(null)}
      >
        <Text as="p">
          <Sentence text={dialog.body} />
        </Text>
      </Confirmation>
    ) : null;
  const confirmationFor = (kind: PendingAction['kind'], trigger?: AutoTriggerName) =>
    pending?.kind === kind && (trigger === undefined || ('trigger' in pending && pending.trigger === trigger))
      ? confirmation
      : null;

  return (
    <PresentationProvider value={{ viewer, now: page.view.now, people: page.people }}>
      <main className="page">
        <Stack space="space.400">
          <PageHeader
            refreshing={generating(page.view)}
            onRefresh={() => {
              setNotice(null);
              void load();
            }}
            refreshDisabled={pending !== null}
          />
          <div tabIndex={-1} data-focus-after-action className="notice-slot" aria-live="polite">
            {notice && (
              <SectionMessage
                appearance={notice.appearance}
                title={notice.title}
                testId="notice"
                actions={[
                  ...(notice.openReportKey
                    ? [
                        <SectionMessageAction key="open" onClick={() => openReportByKey(notice.openReportKey!)}>
                          View report
                        </SectionMessageAction>,
                      ]
                    : []),
                  <SectionMessageAction key="dismiss" onClick={() => setNotice(null)}>
                    Dismiss
                  </SectionMessageAction>,
                ]}
              >
                <Text as="p">
                  <Sentence text={notice.body} />
                </Text>
              </SectionMessage>
            )}
          </div>
          {page.view.alerts.map((a) => (
            <SectionMessage key={a.title} appearance={a.level} title={inWords(a.title)} testId="alert">
              <Text as="p">
                <Sentence text={inWords(a.body)} />
              </Text>
            </SectionMessage>
          ))}
          <InstallationSection
            installation={page.view.installation}
            record={page.view.recordInstallation}
            onRecord={() => setPending({ kind: 'record' })}
            blocked={busy}
            confirmation={confirmationFor('record')}
          />
          <TriggersSection
            view={page.view}
            blocked={busy}
            onRetry={(t) => setPending({ kind: 'retry', trigger: t.trigger, reason: t.actions.retry.reason })}
            onReset={(t) => setPending({ kind: 'reset', trigger: t.trigger, reason: t.actions.reset.reason })}
            confirmationFor={(trigger) => confirmationFor('retry', trigger) ?? confirmationFor('reset', trigger)}
          />
          <ReportsSection
            view={page.view}
            open={openReport}
            loadingKey={loadingKey}
            blocked={busy}
            onGenerate={() => setPending({ kind: 'generate' })}
            confirmation={confirmationFor('generate')}
            onOpen={openReportByKey}
            onClose={closeReport}
            fetchReport={fetchReport}
          />
          <AuditLog view={page.view} />
          <PlatformCheckView onAudited={() => void load()} />
          <Box as="footer" paddingBlockStart="space.200">
            <Text size="small" color="color.text.subtle">
              Times in {viewer.timeZone} ({viewer.locale}); hover a time for its exact UTC instant. Signed in as{' '}
              <PersonName accountId={page.accountId} size="xsmall" />.
            </Text>
          </Box>
        </Stack>
      </main>
    </PresentationProvider>
  );
}

function PageHeader(props: { onRefresh?: () => void; refreshing?: boolean; refreshDisabled?: boolean }) {
  return (
    <Stack space="space.100">
      <Inline spread="space-between" alignBlock="center" shouldWrap space="space.100">
        <Heading size="xlarge" as="h1">
          Site reports
        </Heading>
        {props.onRefresh && (
          <Inline space="space.100" alignBlock="center">
            {props.refreshing && (
              <Text color="color.text.subtle" testId="auto-refresh">
                A report is being generated; this page updates itself.
              </Text>
            )}
            <Button onClick={props.onRefresh} testId="refresh" isDisabled={props.refreshDisabled}>
              Refresh
            </Button>
          </Inline>
        )}
      </Inline>
      <Text as="p" color="color.text.subtle">
        Reports on this Jira site 12 and 24 hours after the app was installed, the scheduler that makes them, and what
        administrators have done here.
      </Text>
    </Stack>
  );
}
