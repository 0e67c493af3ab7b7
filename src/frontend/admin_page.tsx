import { useCallback, useEffect, useRef, useState } from 'react';
import Button from '@atlaskit/button/new';
import Heading from '@atlaskit/heading';
import { Box, Inline, Stack, Text } from '@atlaskit/primitives';
import SectionMessage from '@atlaskit/section-message';
import Spinner from '@atlaskit/spinner';
import { showFlag } from '@forge/bridge';
import type {
  AdminError,
  AdminPageView,
  AdminResult,
  ActionDone,
  AutoTriggerName,
  Person,
  SuggestedAction,
  Words,
} from '../admin/contract';
import { reportName, words } from '../admin/words';
import { adminApi } from './api';
import { AuditSection } from './audit_section';
import { askToConfirm, ConfirmRequest, focusBack } from './confirm_request';
import { Diagnostics } from './diagnostics';
import { errorWords } from './errors';
import { HealthSummary, Messages } from './health_view';
import { Viewer } from './local_time';
import { ReportsSection } from './report_sections';
import { OpenReport } from './report_view';
import { InstallationSection, TriggersSection } from './status_sections';
import { Lookup } from './word_parts';
import { PersonName, PresentationProvider, T, useWords } from './viewer_context';

/**
 * The Jira admin page: the app's health first (is it all right, why, what to
 * do), then the installation time, the two scheduled reports, the stored
 * reports, the audit log, and diagnostics for the vendor's support. Everything
 * shown comes from the resolver's view model; the page decides nothing the
 * resolver would not, and only composes its words, in the viewer's language.
 * Each action is confirmed in a Forge modal and its outcome shown in a flag.
 */

type PageState =
  | { kind: 'loading' }
  | { kind: 'refused'; error: AdminError }
  | { kind: 'ready'; view: AdminPageView; accountId: string; people: Record<string, Person> };

/** While a generation runs, and for a minute after a retry, the page asks again this often. */
const FOLLOW_MS = 4_000;
const FOLLOW_RETRY_FOR_MS = 60_000;

function following(view: AdminPageView, retriedAt: number | null): boolean {
  const moving = view.triggers.some((t) => t.status === 'generating' && !t.outcomeUnknown);
  const retrying = retriedAt !== null && Date.now() - retriedAt < FOLLOW_RETRY_FOR_MS;
  return (
    view.manualReport.inProgressSince !== null || moving || (retrying && view.triggers.some((t) => t.status === 'due'))
  );
}

let flagSequence = 0;

type Outcome = AdminResult<ActionDone & { reportKey?: string }>;

export interface PageProps {
  viewer: Viewer;
  lookup: Lookup;
}

export function AdminPage({ viewer, lookup }: PageProps) {
  const [page, setPage] = useState<PageState>({ kind: 'loading' });
  const load = useCallback(async () => {
    const result = await adminApi.page();
    setPage(
      result.ok
        ? { kind: 'ready', view: result.view, accountId: result.accountId, people: result.people ?? {} }
        : { kind: 'refused', error: result.error },
    );
  }, []);
  useEffect(() => void load(), [load]);

  const now = page.kind === 'ready' ? page.view.now : new Date().toISOString();
  const people = page.kind === 'ready' ? page.people : {};
  return (
    <PresentationProvider value={{ viewer, now, people, lookup }}>
      {page.kind === 'loading' ? (
        <main className="page page--centered">
          <Inline space="space.100" alignBlock="center">
            <Spinner size="medium" />
            <Text color="color.text.subtle">
              <T k="page.loading" />
            </Text>
          </Inline>
        </main>
      ) : page.kind === 'refused' ? (
        <Refused error={page.error} />
      ) : (
        <ReadyPage view={page.view} accountId={page.accountId} reload={load} />
      )}
    </PresentationProvider>
  );
}

function Refused({ error }: { error: AdminError }) {
  const notAllowed = error.code === 'NOT_ADMIN' || error.code === 'NO_USER';
  const { t } = useWords();
  return (
    <main className="page">
      <Stack space="space.300">
        <PageHeader />
        <SectionMessage
          appearance={notAllowed ? 'warning' : 'error'}
          title={t(notAllowed ? 'refusal.notAdmin.title' : 'refusal.failed.title')}
          testId="refusal"
        >
          <Stack space="space.100">
            <Text as="p">
              <T k={errorWords(error).key} params={errorWords(error).params} />
            </Text>
            {notAllowed && (
              <Text as="p">
                <T k="refusal.notAdmin.help" />
              </Text>
            )}
          </Stack>
        </SectionMessage>
      </Stack>
    </main>
  );
}

function ReadyPage({
  view,
  accountId,
  reload,
}: {
  view: AdminPageView;
  accountId: string;
  reload: () => Promise<void>;
}) {
  const { say, t } = useWords();
  const [busy, setBusy] = useState<Words | null>(null);
  const [retriedAt, setRetriedAt] = useState<number | null>(null);
  const [openReport, setOpenReport] = useState<OpenReport | null>(null);
  const [loadingKey, setLoadingKey] = useState<string | null>(null);
  const [diagnosticsOpen, setDiagnosticsOpen] = useState(false);
  /** The control that opened a report or a confirmation, given focus back afterwards. */
  const opener = useRef<Element | null>(null);

  // While a report is being made (here, by the app, or by another admin), follow it to its end.
  useEffect(() => {
    if (busy || !following(view, retriedAt)) return;
    const timer = setTimeout(() => void reload(), FOLLOW_MS);
    return () => clearTimeout(timer);
  }, [view, busy, retriedAt, reload]);

  const flag = (
    type: 'success' | 'warning' | 'error' | 'info',
    title: string,
    description: string,
    actions?: Array<{ text: string; onClick: () => void }>,
  ) => {
    showFlag({
      id: `site-reports-${++flagSequence}`,
      type,
      title,
      description,
      isAutoDismiss: type === 'success',
      ...(actions ? { actions } : {}),
    });
  };

  const restoreFocus = () => focusBack(opener.current);

  const fetchReport = async (key: string) => {
    setLoadingKey(key);
    const result = await adminApi.report(key);
    setLoadingKey(null);
    if (!result.ok) {
      flag('error', t('flag.reportNotOpened'), say(errorWords(result.error)));
      return null;
    }
    return result;
  };

  const openReportByKey = (key: string) => {
    opener.current = document.activeElement;
    void fetchReport(key).then((r) => {
      if (r) setOpenReport({ key: r.key, report: r.report, openedAt: Date.now() });
    });
  };

  const closeReport = () => {
    setOpenReport(null);
    restoreFocus();
  };

  /** Confirm in a modal, act, reload, and say how it went in a flag. */
  const run = async (
    request: ConfirmRequest,
    working: Words,
    act: (installedAt?: string) => Promise<Outcome>,
    done: (r: ActionDone & { reportKey?: string }) => void,
  ) => {
    opener.current = document.activeElement;
    let answer;
    try {
      answer = await askToConfirm(request);
    } catch {
      flag('error', t('flag.modalFailed.title'), t('flag.modalFailed.body'));
      return;
    }
    if (!answer) return;
    setBusy(working);
    const result = await act(answer.installedAt);
    await reload();
    setBusy(null);
    if (result.ok) done(result);
    else if (result.error.code === 'UNREACHABLE') flag('warning', t('flag.unknown.title'), t('flag.unknown.body'));
    else flag('error', t('flag.refused.title'), say(errorWords(result.error)));
    restoreFocus();
  };

  const succeeded = (title: string, result: ActionDone, actions?: Array<{ text: string; onClick: () => void }>) =>
    flag(
      result.warning ? 'warning' : 'success',
      title,
      [say(result.words), result.warning ? say(result.warning) : ''].filter(Boolean).join(' '),
      actions,
    );

  const generate = () =>
    void run(
      { action: 'generate', now: view.now, installationKnown: view.installation.status === 'recorded' },
      words('busy.generate'),
      () => adminApi.generateManualReport(),
      (r) =>
        succeeded(
          t('flag.generated.title'),
          r,
          r.reportKey ? [{ text: t('flag.generated.view'), onClick: () => openReportByKey(r.reportKey!) }] : undefined,
        ),
    );
  const retry = (trigger: AutoTriggerName) => {
    const t0 = view.triggers.find((x) => x.trigger === trigger)!;
    void run(
      { action: 'retry', trigger, reason: t0.actions.retry.reason, now: view.now },
      words('busy.retry', { report: reportName(trigger) }),
      () => adminApi.retry(trigger),
      (r) => {
        setRetriedAt(Date.now());
        succeeded(t('flag.retried.title', { report: reportName(trigger) }), r);
      },
    );
  };
  const reset = (trigger: AutoTriggerName) => {
    const t0 = view.triggers.find((x) => x.trigger === trigger)!;
    void run(
      { action: 'reset', trigger, reason: t0.actions.reset.reason, now: view.now },
      words('busy.reset', { report: reportName(trigger) }),
      () => adminApi.reset(trigger),
      (r) => succeeded(t('flag.reset.title', { report: reportName(trigger) }), r),
    );
  };
  const record = () =>
    void run(
      { action: 'record', now: view.now, earliestAt: view.recordInstallation.earliestAt },
      words('busy.record'),
      (installedAt) => adminApi.recordInstallation(installedAt ?? ''),
      (r) => succeeded(t('flag.recorded.title'), r),
    );

  const suggested = (action: SuggestedAction) => {
    switch (action.kind) {
      case 'recordInstallation':
        return record();
      case 'retry':
        return retry(action.trigger);
      case 'generateManual':
        return generate();
      case 'diagnostics':
        setDiagnosticsOpen(true);
        requestAnimationFrame(() => document.getElementById('diagnostics-toggle')?.focus());
        return;
    }
  };

  const blocked = busy !== null;
  return (
    <main className="page">
      <Stack space="space.400">
        <PageHeader onRefresh={() => void reload()} refreshDisabled={blocked} following={following(view, retriedAt)} />
        <Stack space="space.200">
          <HealthSummary view={view} blocked={blocked} onAction={suggested} />
          <Messages view={view} blocked={blocked} onAction={suggested} />
          <div tabIndex={-1} data-focus-after-action className="notice-slot" aria-live="polite" data-testid="busy">
            {busy && (
              <Inline space="space.100" alignBlock="center">
                <Spinner size="small" />
                <Text>{say(busy)}</Text>
              </Inline>
            )}
          </div>
        </Stack>
        <InstallationSection
          installation={view.installation}
          record={view.recordInstallation}
          onRecord={record}
          blocked={blocked}
        />
        <TriggersSection
          view={view}
          blocked={blocked}
          onRetry={(t0) => retry(t0.trigger)}
          onReset={(t0) => reset(t0.trigger)}
        />
        <ReportsSection
          view={view}
          open={openReport}
          loadingKey={loadingKey}
          blocked={blocked}
          onGenerate={generate}
          onOpen={openReportByKey}
          onClose={closeReport}
          fetchReport={fetchReport}
        />
        <AuditSection view={view} />
        <Diagnostics
          view={view}
          open={diagnosticsOpen}
          onToggle={setDiagnosticsOpen}
          blocked={blocked}
          onAudited={() => void reload()}
        />
        <Box as="footer" paddingBlockStart="space.200">
          <Text size="small" color="color.text.subtle">
            <T k="page.footer" /> <PersonName accountId={accountId} size="xsmall" />
          </Text>
        </Box>
      </Stack>
    </main>
  );
}

function PageHeader(props: { onRefresh?: () => void; refreshDisabled?: boolean; following?: boolean }) {
  return (
    <Stack space="space.100">
      <Inline spread="space-between" alignBlock="center" shouldWrap space="space.100">
        <Heading size="xlarge" as="h1">
          <T k="page.title" />
        </Heading>
        {props.onRefresh && (
          <Inline space="space.100" alignBlock="center">
            {props.following && (
              <Text color="color.text.subtle" testId="auto-refresh">
                <T k="page.following" />
              </Text>
            )}
            <Button onClick={props.onRefresh} testId="refresh" isDisabled={props.refreshDisabled}>
              <T k="page.refresh" />
            </Button>
          </Inline>
        )}
      </Inline>
      <Text as="p" color="color.text.subtle">
        <T k="page.intro" />
      </Text>
    </Stack>
  );
}
