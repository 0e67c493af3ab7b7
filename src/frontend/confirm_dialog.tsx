import { useId, useState } from 'react';
import Button from '@atlaskit/button/new';
import Heading from '@atlaskit/heading';
import { Box, Inline, Stack, Text } from '@atlaskit/primitives';
import { view } from '@forge/bridge';
import type { WordKey } from '../admin/contract';
import { checkInstallationTime, consequencesOf } from '../admin/installation_time';
import { reportName } from '../admin/words';
import type { ConfirmAnswer, ConfirmRequest } from './confirm_request';
import { instantOfWallTime, wallTimeIn } from './local_time';
import { Say, T, usePresentation, useWords } from './viewer_context';

/**
 * The copy of the page Jira opens in a modal to confirm one action (see
 * confirm_request.ts). Cancel has focus first, so Enter pressed twice by habit
 * never confirms a reset; Escape and a click beside the dialog cancel too
 * (Jira's dialog does that). Confirming closes the modal with the answer; the
 * page behind it acts.
 */

const close = (answer?: ConfirmAnswer) => void view.close(answer).catch(() => undefined);

interface Wording {
  title: WordKey;
  confirm: WordKey;
  danger?: boolean;
}

const WORDING: Record<ConfirmRequest['action'], Wording> = {
  generate: { title: 'confirm.generate.title', confirm: 'confirm.generate.confirm' },
  retry: { title: 'confirm.retry.title', confirm: 'confirm.retry.confirm' },
  reset: { title: 'confirm.reset.title', confirm: 'confirm.reset.confirm', danger: true },
  record: { title: 'confirm.record.title', confirm: 'confirm.record.confirm' },
  platformCheck: { title: 'confirm.platformCheck.title', confirm: 'confirm.platformCheck.confirm' },
};

function Body({ request }: { request: ConfirmRequest }) {
  switch (request.action) {
    case 'generate':
      return (
        <Stack space="space.100">
          <Text as="p">
            <T k="confirm.generate.body" />
          </Text>
          {!request.installationKnown && (
            <Text as="p">
              <T k="confirm.generate.noInstallation" />
            </Text>
          )}
        </Stack>
      );
    case 'retry':
    case 'reset':
      return (
        <Text as="p">
          <Say words={request.reason} />
        </Text>
      );
    case 'platformCheck':
      return (
        <Text as="p">
          <T k="confirm.platformCheck.body" />
        </Text>
      );
    case 'record':
      return null;
  }
}

/** The installation time, entered as a wall-clock time in the admin's Jira time zone. */
function InstallationTime(props: {
  request: Extract<ConfirmRequest, { action: 'record' }>;
  value: string;
  onChange: (v: string) => void;
}) {
  const { viewer } = usePresentation();
  const inputId = useId();
  const hintId = useId();
  const outcomeId = useId();
  const now = Date.parse(props.request.now);
  const checked = checkInstallationTime(instantOfWallTime(props.value, viewer.timeZone), now);
  return (
    <Stack space="space.150">
      <Text as="p">
        <T k="confirm.record.body" />
      </Text>
      <Stack space="space.050">
        <label htmlFor={inputId} className="field-label">
          <T k="confirm.record.label" params={{ zone: viewer.timeZone }} />
        </label>
        <input
          id={inputId}
          className="field-input"
          type="datetime-local"
          value={props.value}
          min={wallTimeIn(props.request.earliestAt, viewer.timeZone)}
          max={wallTimeIn(props.request.now, viewer.timeZone)}
          onChange={(e) => props.onChange(e.target.value)}
          aria-describedby={`${hintId} ${outcomeId}`}
          aria-invalid={!checked.ok}
          autoFocus
          data-testid="installation-time"
        />
        <Text size="small" color="color.text.subtle" id={hintId}>
          <T k="confirm.record.hint" params={{ earliest: { at: props.request.earliestAt } }} />
        </Text>
      </Stack>
      <div id={outcomeId} aria-live="polite" data-testid="installation-outcome">
        <Text as="p" color={checked.ok ? 'color.text' : 'color.text.danger'}>
          {checked.ok ? <Say words={consequencesOf(checked.installedAt, now)} /> : <Say words={checked.reason} />}
        </Text>
      </div>
    </Stack>
  );
}

export function ConfirmDialog({ request }: { request: ConfirmRequest }) {
  const { viewer } = usePresentation();
  const { t } = useWords();
  const headingId = useId();
  const [installedWall, setInstalledWall] = useState(() =>
    request.action === 'record' ? wallTimeIn(request.now, viewer.timeZone) : '',
  );
  const wording = WORDING[request.action];
  const report = 'trigger' in request ? { report: reportName(request.trigger) } : undefined;
  const installedAt =
    request.action === 'record'
      ? checkInstallationTime(instantOfWallTime(installedWall, viewer.timeZone), Date.parse(request.now))
      : null;
  const confirm = () => {
    if (installedAt === null) return close({ confirmed: true });
    if (installedAt.ok) close({ confirmed: true, installedAt: new Date(installedAt.installedAt).toISOString() });
  };
  return (
    <main className="dialog-page" aria-labelledby={headingId} data-testid="confirmation">
      <Box padding="space.300">
        <Stack space="space.250">
          <Heading size="medium" as="h1" id={headingId}>
            {t(wording.title, report)}
          </Heading>
          {request.action === 'record' ? (
            <InstallationTime request={request} value={installedWall} onChange={setInstalledWall} />
          ) : (
            <Body request={request} />
          )}
          <Inline space="space.100" alignInline="end" shouldWrap>
            {/* Cancel first, and focused: Enter pressed twice by habit must not confirm a reset. */}
            <Button appearance="subtle" onClick={() => close()} autoFocus={request.action !== 'record'}>
              <T k="confirm.cancel" />
            </Button>
            <Button
              appearance={wording.danger ? 'danger' : 'primary'}
              onClick={confirm}
              isDisabled={installedAt !== null && !installedAt.ok}
              testId="confirm-action"
            >
              {t(wording.confirm)}
            </Button>
          </Inline>
        </Stack>
      </Box>
    </main>
  );
}
