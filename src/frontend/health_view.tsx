import Button from '@atlaskit/button/new';
import { Box, Stack, Text } from '@atlaskit/primitives';
import SectionMessage from '@atlaskit/section-message';
import type { AdminPageView, HealthLevel, Situation, SuggestedAction, WordKey } from '../admin/contract';
import { reportName } from '../admin/words';
import { Say, T, useWords } from './viewer_context';

/**
 * The top of the page: the app's health in one word (Healthy, Needs attention,
 * Action needed), one sentence why, and the one thing to do, with the button
 * that does it. Below it, every other situation once, each the same way.
 */

const APPEARANCE: Record<HealthLevel, 'success' | 'warning' | 'error'> = {
  healthy: 'success',
  attention: 'warning',
  action: 'error',
};

const LEVEL_WORDS: Record<HealthLevel, WordKey> = {
  healthy: 'health.level.healthy',
  attention: 'health.level.attention',
  action: 'health.level.action',
};

function ActionButton(props: { action: SuggestedAction; blocked: boolean; onAction: (a: SuggestedAction) => void }) {
  const a = props.action;
  const label =
    a.kind === 'retry' ? (
      <T k="suggested.retry" params={{ report: reportName(a.trigger) }} />
    ) : a.kind === 'recordInstallation' ? (
      <T k="suggested.recordInstallation" />
    ) : a.kind === 'generateManual' ? (
      <T k="suggested.generateManual" />
    ) : (
      <T k="suggested.diagnostics" />
    );
  return (
    <Box>
      <Button
        appearance={a.kind === 'diagnostics' ? 'default' : 'primary'}
        onClick={() => props.onAction(a)}
        isDisabled={props.blocked}
        testId={`suggested-${a.kind}`}
      >
        {label}
      </Button>
    </Box>
  );
}

export function HealthSummary(props: {
  view: AdminPageView;
  blocked: boolean;
  onAction: (a: SuggestedAction) => void;
}) {
  const { health } = props.view;
  const { t } = useWords();
  return (
    <section
      aria-label={t('health.heading')}
      data-testid="health"
      data-level={health.level}
      data-kind={health.kind ?? 'healthy'}
    >
      <SectionMessage appearance={APPEARANCE[health.level]} title={t(LEVEL_WORDS[health.level])}>
        <Stack space="space.100">
          <Text as="p" testId="health-why">
            <Say words={health.why} />
          </Text>
          {health.todo && (
            <Text as="p" weight="medium" testId="health-todo">
              <Say words={health.todo} />
            </Text>
          )}
          {health.action && <ActionButton action={health.action} blocked={props.blocked} onAction={props.onAction} />}
        </Stack>
      </SectionMessage>
    </section>
  );
}

function Message(props: { s: Situation; blocked: boolean; onAction: (a: SuggestedAction) => void }) {
  const { say } = useWords();
  const { s } = props;
  return (
    <div data-testid="message" data-kind={s.kind}>
      <SectionMessage appearance={s.level === 'action' ? 'error' : 'warning'} title={say(s.title)}>
        <Stack space="space.100">
          <Text as="p">
            <Say words={s.why} />
          </Text>
          {s.todo && (
            <Text as="p" weight="medium">
              <Say words={s.todo} />
            </Text>
          )}
          {s.action && <ActionButton action={s.action} blocked={props.blocked} onAction={props.onAction} />}
        </Stack>
      </SectionMessage>
    </div>
  );
}

export function Messages(props: { view: AdminPageView; blocked: boolean; onAction: (a: SuggestedAction) => void }) {
  if (props.view.messages.length === 0) return null;
  return (
    <Stack space="space.200">
      {props.view.messages.map((s) => (
        <Message key={`${s.kind}-${s.trigger ?? ''}`} s={s} blocked={props.blocked} onAction={props.onAction} />
      ))}
    </Stack>
  );
}
