import { ReactNode, useId } from 'react';
import Button from '@atlaskit/button/new';
import Heading from '@atlaskit/heading';
import Lozenge from '@atlaskit/lozenge';
import { Box, Inline, Stack, Text } from '@atlaskit/primitives';
import type { ActionAvailability, AdminPageView, InstallationView, TriggerView } from '../admin/contract';
import { Instant, PersonName, Sentence } from './viewer_context';
import { inWords, STATUS, TRIGGER_TITLES } from './words';

/** The installation time the schedule counts from, and the two scheduled reports. */

export function Section(props: { id: string; title: string; actions?: ReactNode; children: ReactNode }) {
  return (
    <section className="page-section" aria-labelledby={props.id}>
      <Stack space="space.200">
        <Inline spread="space-between" alignBlock="center" shouldWrap space="space.100">
          <Heading size="medium" as="h2" id={props.id}>
            {props.title}
          </Heading>
          {props.actions}
        </Inline>
        {props.children}
      </Stack>
    </section>
  );
}

/**
 * A button whose reason is always on the page beside it: why it is unavailable,
 * or what it will do. Keyboard and touch users never see a `title` tooltip.
 */
export function ActionWithReason(props: {
  label: string;
  availability: ActionAvailability;
  blocked: boolean;
  onClick: () => void;
  appearance?: 'default' | 'primary' | 'danger' | 'subtle';
  testId: string;
}) {
  const reasonId = useId();
  const { allowed, reason } = props.availability;
  return (
    <Stack space="space.050">
      <Box>
        <Button
          appearance={props.appearance ?? 'default'}
          onClick={props.onClick}
          isDisabled={props.blocked || !allowed}
          aria-describedby={reasonId}
          testId={props.testId}
        >
          {props.label}
        </Button>
      </Box>
      <Text size="small" color="color.text.subtle" id={reasonId} testId={`${props.testId}-reason`}>
        {allowed ? '' : 'Unavailable: '}
        <Sentence text={inWords(reason)} />
      </Text>
    </Stack>
  );
}

const SOURCES = {
  event: {
    label: 'Recorded by the app',
    appearance: 'success' as const,
    detail: 'The app recorded this time itself when Jira told it it had been installed.',
  },
  admin: { label: 'Recorded by an administrator', appearance: 'moved' as const, detail: 'Recorded from this page.' },
  other: {
    label: 'Unknown source',
    appearance: 'default' as const,
    detail: 'The record names a source this app does not know.',
  },
};

export function InstallationSection(props: {
  installation: InstallationView;
  record: ActionAvailability;
  onRecord: () => void;
  blocked: boolean;
  confirmation: ReactNode;
}) {
  const { installation } = props;
  const source = installation.source ? SOURCES[installation.source] : null;
  return (
    <Section id="installation-heading" title="Installation">
      <dl className="details" data-testid="installation">
        <dt>Installed</dt>
        <dd>
          {installation.installedAt ? (
            <Instant at={installation.installedAt} relative />
          ) : (
            <Lozenge appearance="removed">{installation.status === 'missing' ? 'Not recorded' : 'Unusable'}</Lozenge>
          )}
        </dd>
        <dt>Source</dt>
        <dd>
          {source ? (
            <Stack space="space.050">
              <Box>
                <Lozenge appearance={source.appearance}>{source.label}</Lozenge>
              </Box>
              <Text size="small" color="color.text.subtle">
                {source.detail}
                {installation.source === 'admin' && installation.recordedBy && (
                  <>
                    {' '}
                    By <PersonName accountId={installation.recordedBy} size="xsmall" />.
                  </>
                )}
              </Text>
            </Stack>
          ) : (
            <Text color="color.text.subtle">—</Text>
          )}
        </dd>
      </dl>
      {props.record.allowed && (
        <ActionWithReason
          label="Record installation time now"
          appearance="primary"
          availability={props.record}
          blocked={props.blocked}
          onClick={props.onRecord}
          testId="record-installation"
        />
      )}
      {props.confirmation}
    </Section>
  );
}

function TriggerCard(props: {
  t: TriggerView;
  blocked: boolean;
  onRetry: () => void;
  onReset: () => void;
  confirmation: ReactNode;
}) {
  const { t } = props;
  const status = STATUS[t.status];
  const headingId = `trigger-${t.trigger}-heading`;
  return (
    <section className="card" aria-labelledby={headingId} data-testid={`trigger-${t.trigger}`}>
      <Stack space="space.150">
        <Inline space="space.100" alignBlock="center" shouldWrap>
          <Heading size="small" as="h3" id={headingId}>
            {TRIGGER_TITLES[t.trigger]}
          </Heading>
          <span data-testid="trigger-status">
            <Lozenge appearance={status.appearance}>{status.label}</Lozenge>
          </span>
          {t.repeatedLongBackoff && <Lozenge appearance="removed">Repeated long waits</Lozenge>}
        </Inline>
        <Text as="p" testId="trigger-summary">
          <Sentence text={inWords(t.summary)} />
        </Text>
        {t.lastError && t.status !== 'done' && (
          <Text as="p" color="color.text.danger" size="small">
            Last error (attempt {t.lastError.attempt}, <Instant at={t.lastError.at} />
            ): {t.lastError.message}
          </Text>
        )}
        <dl className="details details--inline">
          <dt>Due</dt>
          <dd>
            <Instant at={t.dueAt} />
          </dd>
          <dt>Next attempt</dt>
          <dd>{t.nextEligibleAt ? <Instant at={t.nextEligibleAt} relative /> : '—'}</dd>
          {t.lastChanceAt && (
            <>
              <dt>Last chance</dt>
              <dd data-testid="trigger-last-chance">
                <Instant at={t.lastChanceAt} relative />
              </dd>
            </>
          )}
          <dt>Attempts</dt>
          <dd>{t.attemptCount}</dd>
        </dl>
        <div className="action-row">
          <ActionWithReason
            label="Retry now"
            availability={t.actions.retry}
            blocked={props.blocked}
            onClick={props.onRetry}
            testId={`retry-${t.trigger}`}
          />
          <ActionWithReason
            label="Reset"
            appearance="subtle"
            availability={t.actions.reset}
            blocked={props.blocked}
            onClick={props.onReset}
            testId={`reset-${t.trigger}`}
          />
        </div>
        {props.confirmation}
      </Stack>
    </section>
  );
}

export function TriggersSection(props: {
  view: AdminPageView;
  blocked: boolean;
  onRetry: (t: TriggerView) => void;
  onReset: (t: TriggerView) => void;
  confirmationFor: (trigger: TriggerView['trigger']) => ReactNode;
}) {
  return (
    <Section id="scheduler-heading" title="Scheduled reports">
      <Text as="p" color="color.text.subtle">
        The app makes each of these once. It checks every {props.view.schedule.every}
        {props.view.schedule.wakeUps ? ', and wakes itself at each due time in between' : ''}. After a failure it waits
        30 minutes, then 2 hours, then 24 hours between attempts.
      </Text>
      <div className="cards" data-testid="triggers">
        {props.view.triggers.map((t) => (
          <TriggerCard
            key={t.trigger}
            t={t}
            blocked={props.blocked}
            onRetry={() => props.onRetry(t)}
            onReset={() => props.onReset(t)}
            confirmation={props.confirmationFor(t.trigger)}
          />
        ))}
      </div>
    </Section>
  );
}
