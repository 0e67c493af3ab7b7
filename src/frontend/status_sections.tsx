import { ReactNode, useId } from 'react';
import Button from '@atlaskit/button/new';
import Heading from '@atlaskit/heading';
import Lozenge from '@atlaskit/lozenge';
import { Box, Inline, Stack, Text } from '@atlaskit/primitives';
import type { ActionAvailability, AdminPageView, InstallationView, TriggerView, Words } from '../admin/contract';
import { Instant, PersonName, Say, T, usePresentation, useWords } from './viewer_context';
import { STATUS_LOZENGE, TRIGGER_TITLE_KEYS } from './words';

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
 * A plain string reason is shown as it is (the report history's own, in English until it is translated).
 */
export function ActionWithReason(props: {
  label: string;
  availability: { allowed: boolean; reason: Words | string };
  blocked: boolean;
  onClick: () => void;
  appearance?: 'default' | 'primary' | 'danger' | 'subtle';
  testId: string;
}) {
  const reasonId = useId();
  const { t } = useWords();
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
        {allowed ? '' : `${t('action.unavailable')} `}
        {typeof reason === 'string' ? reason : <Say words={reason} />}
      </Text>
    </Stack>
  );
}

export function InstallationSection(props: {
  installation: InstallationView;
  record: ActionAvailability;
  onRecord: () => void;
  blocked: boolean;
}) {
  const { installation } = props;
  const { t } = useWords();
  return (
    <Section id="installation-heading" title={t('installation.heading')}>
      <dl className="details" data-testid="installation">
        <dt>
          <T k="installation.installed" />
        </dt>
        <dd>
          {installation.installedAt && installation.status === 'recorded' ? (
            <Instant at={installation.installedAt} relative />
          ) : (
            <Lozenge appearance="removed">
              <T k={installation.status === 'missing' ? 'installation.notRecorded' : 'installation.unusable'} />
            </Lozenge>
          )}
        </dd>
        <dt>
          <T k="installation.source" />
        </dt>
        <dd>
          {installation.source === 'event' ? (
            <T k="installation.source.event" />
          ) : installation.source === 'admin' ? (
            <span>
              <T k="installation.source.admin" />{' '}
              {installation.recordedBy && <PersonName accountId={installation.recordedBy} size="xsmall" />}
              {installation.recordedAt && (
                <>
                  {' '}
                  <T k="installation.source.adminAt" params={{ at: { at: installation.recordedAt } }} />
                </>
              )}
            </span>
          ) : installation.source === 'other' ? (
            <T k="installation.source.unknown" />
          ) : (
            <Text color="color.text.subtle">—</Text>
          )}
        </dd>
      </dl>
      {/* Offered only while no installation time is recorded: one that is, is never changed from here. */}
      {props.record.allowed && (
        <ActionWithReason
          label={t('installation.record')}
          appearance="primary"
          availability={props.record}
          blocked={props.blocked}
          onClick={props.onRecord}
          testId="record-installation"
        />
      )}
    </Section>
  );
}

function TriggerCard(props: { t: TriggerView; blocked: boolean; onRetry: () => void; onReset: () => void }) {
  const { t: trigger } = props;
  const { t } = useWords();
  const { locale } = usePresentation().viewer;
  const status = STATUS_LOZENGE[trigger.status];
  const headingId = `trigger-${trigger.trigger}-heading`;
  return (
    <section className="card" aria-labelledby={headingId} data-testid={`trigger-${trigger.trigger}`}>
      <Stack space="space.150">
        <Inline space="space.100" alignBlock="center" shouldWrap>
          <Heading size="small" as="h3" id={headingId}>
            {t(TRIGGER_TITLE_KEYS[trigger.trigger])}
          </Heading>
          <span data-testid="trigger-status">
            <Lozenge appearance={status.appearance}>{t(status.key)}</Lozenge>
          </span>
        </Inline>
        <Text as="p" testId="trigger-summary">
          <Say words={trigger.summary} />
        </Text>
        {trigger.lastError && trigger.status !== 'done' && (
          <Text as="p" color="color.text.danger" size="small" testId="trigger-last-error">
            <T
              k="trigger.lastError"
              params={{ at: { at: trigger.lastError.at }, cause: { words: trigger.lastError.cause } }}
            />
          </Text>
        )}
        <dl className="details details--inline">
          <dt>
            <T k="trigger.due" />
          </dt>
          <dd>
            <Instant at={trigger.dueAt} />
          </dd>
          <dt>
            <T k="trigger.nextAttempt" />
          </dt>
          <dd>{trigger.nextEligibleAt ? <Instant at={trigger.nextEligibleAt} relative /> : '—'}</dd>
          {trigger.lastChanceAt && (
            <>
              <dt>
                <T k="trigger.lastChance" />
              </dt>
              <dd data-testid="trigger-last-chance">
                <Instant at={trigger.lastChanceAt} relative />
              </dd>
            </>
          )}
          <dt>
            <T k="trigger.attempts" />
          </dt>
          <dd>{new Intl.NumberFormat(locale).format(trigger.attemptCount)}</dd>
        </dl>
        <div className="action-row">
          <ActionWithReason
            label={t('trigger.retry')}
            availability={trigger.actions.retry}
            blocked={props.blocked}
            onClick={props.onRetry}
            testId={`retry-${trigger.trigger}`}
          />
          <ActionWithReason
            label={t('trigger.reset')}
            appearance="subtle"
            availability={trigger.actions.reset}
            blocked={props.blocked}
            onClick={props.onReset}
            testId={`reset-${trigger.trigger}`}
          />
        </div>
      </Stack>
    </section>
  );
}

export function TriggersSection(props: {
  view: AdminPageView;
  blocked: boolean;
  onRetry: (t: TriggerView) => void;
  onReset: (t: TriggerView) => void;
}) {
  const { t } = useWords();
  return (
    <Section id="scheduler-heading" title={t('triggers.heading')}>
      <Text as="p" color="color.text.subtle">
        <T k="triggers.intro" params={{ count: props.view.schedule.intervalMinutes }} />
      </Text>
      <div className="cards" data-testid="triggers">
        {props.view.triggers.map((trigger) => (
          <TriggerCard
            key={trigger.trigger}
            t={trigger}
            blocked={props.blocked}
            onRetry={() => props.onRetry(trigger)}
            onReset={() => props.onReset(trigger)}
          />
        ))}
      </div>
    </Section>
  );
}
