import { ReactNode, useEffect, useId, useLayoutEffect, useRef } from 'react';
import Button from '@atlaskit/button/new';
import Heading from '@atlaskit/heading';
import { Box, Inline, Stack } from '@atlaskit/primitives';

/**
 * A confirmation shown in place, right under the control that asked for it.
 *
 * Why not a modal overlay: Jira sizes a Custom UI admin page's iframe to its
 * content, so inside the frame `position: fixed` means "fixed to the whole
 * page", and a centred overlay lands wherever the middle of a long page is,
 * often outside the admin's viewport. In place, the confirmation appears where
 * the admin is looking, and is scrolled into view (which scrolls Jira's page
 * around the frame too) when it does not fit.
 *
 * It is still a modal dialog to keyboard and screen-reader users: while open,
 * everything else on the page is `inert`, Tab and Shift+Tab cycle inside it
 * (they would otherwise leave the frame for Jira's page), Escape cancels, and
 * when it closes focus goes back to the control that opened it, or to
 * `returnFocusTo` when that control is gone or disabled by the outcome.
 */
export interface ConfirmationProps {
  title: string;
  appearance: 'primary' | 'danger';
  confirmLabel: string;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
  children: ReactNode;
  testId?: string;
}

const FOCUSABLE = 'button:not([disabled]), [href], input:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** Make everything outside `keep` inert; returns the undo. */
function inertOutside(keep: HTMLElement): () => void {
  const made: HTMLElement[] = [];
  for (let node: HTMLElement | null = keep; node && node !== document.body; node = node.parentElement) {
    for (const sibling of Array.from(node.parentElement?.children ?? [])) {
      if (sibling !== node && sibling instanceof HTMLElement && !sibling.inert && sibling.tagName !== 'SCRIPT') {
        sibling.inert = true;
        made.push(sibling);
      }
    }
  }
  return () => made.forEach((el) => (el.inert = false));
}

export function Confirmation(props: ConfirmationProps) {
  const ref = useRef<HTMLDivElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  const bodyId = useId();
  const { onCancel, busy } = props;

  // Before paint: the opener is still focused here, so remember it; then take the page away.
  const opener = useRef<Element | null>(null);
  useLayoutEffect(() => {
    opener.current = document.activeElement;
    const panel = ref.current!;
    const undo = inertOutside(panel);
    panel.scrollIntoView({ block: 'nearest' });
    // Cancel first: Enter pressed twice by habit must not confirm a reset.
    cancelRef.current?.focus();
    return () => {
      undo();
      const back = opener.current;
      // After the page re-renders: the opener may have been replaced or disabled by the outcome.
      requestAnimationFrame(() => {
        if (back instanceof HTMLElement && back.isConnected && !back.matches(':disabled')) back.focus();
        else document.querySelector<HTMLElement>('[data-focus-after-action]')?.focus();
      });
    };
  }, []);

  useEffect(() => {
    const panel = ref.current!;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        if (!busy) onCancel();
        return;
      }
      if (e.key !== 'Tab') return;
      const stops = Array.from(panel.querySelectorAll<HTMLElement>(FOCUSABLE));
      if (stops.length === 0) {
        e.preventDefault();
        return;
      }
      const first = stops[0];
      const last = stops[stops.length - 1];
      const at = document.activeElement;
      if (e.shiftKey && (at === first || !panel.contains(at))) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && (at === last || !panel.contains(at))) {
        e.preventDefault();
        first.focus();
      }
    };
    document.addEventListener('keydown', onKey, true);
    return () => document.removeEventListener('keydown', onKey, true);
  }, [onCancel, busy]);

  // Opened at the end of the page, the confirmation makes the page taller than Jira's frame until Jira
  // resizes the frame to fit (asynchronously, from a message). When it does, bring the confirmation into view.
  useEffect(() => {
    const panel = ref.current!;
    const onResize = () => panel.scrollIntoView({ block: 'nearest' });
    window.addEventListener('resize', onResize);
    return () => window.removeEventListener('resize', onResize);
  }, []);

  return (
    <div
      ref={ref}
      role="dialog"
      aria-modal="true"
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      className={`confirmation confirmation--${props.appearance}`}
      data-testid={props.testId ?? 'confirmation'}
    >
      <Box padding="space.200">
        <Stack space="space.150">
          <Heading size="small" as="h3" id={titleId}>
            {props.title}
          </Heading>
          <div id={bodyId}>{props.children}</div>
          <Inline space="space.100" alignInline="end" shouldWrap>
            <Button appearance="subtle" onClick={props.onCancel} isDisabled={props.busy} ref={cancelRef}>
              Cancel
            </Button>
            <Button
              appearance={props.appearance === 'danger' ? 'danger' : 'primary'}
              onClick={props.onConfirm}
              isLoading={props.busy}
              testId="confirm-action"
            >
              {props.confirmLabel}
            </Button>
          </Inline>
        </Stack>
      </Box>
    </div>
  );
}
