import { Modal } from '@forge/bridge';
import type { AutoTriggerName, Words } from '../admin/contract';

/**
 * Confirmations are Forge modals: the page opens a second copy of itself in a
 * dialog Jira draws over the dimmed page (`Modal` from @forge/bridge), passing
 * what is to be confirmed as the modal's context; the copy shows it and closes
 * itself with `view.close(answer)`, which Jira hands to the page's `onClose`.
 * The page then acts and reports the outcome with a flag. Jira's dialog is in
 * the admin's view whatever the page's length, and keeps focus while it is open.
 */

export type ConfirmRequest =
  | { action: 'generate'; now: string; installationKnown: boolean }
  | { action: 'retry'; trigger: AutoTriggerName; reason: Words; now: string }
  | { action: 'reset'; trigger: AutoTriggerName; reason: Words; now: string }
  | { action: 'record'; now: string; earliestAt: string }
  | { action: 'platformCheck'; now: string };

/** What the modal closes with when the admin confirms; anything else (Cancel, Escape, a click outside) is no. */
export interface ConfirmAnswer {
  confirmed: true;
  /** `record` only: the installation time entered (ISO-8601). */
  installedAt?: string;
}

/** The context key under `extension.modal` that marks a copy of the page opened as a confirmation. */
export const CONFIRM_CONTEXT = 'confirm';

export function isConfirmRequest(v: unknown): v is ConfirmRequest {
  const action = (v as { action?: unknown } | null)?.action;
  return ['generate', 'retry', 'reset', 'record', 'platformCheck'].includes(action as string);
}

function isAnswer(v: unknown): v is ConfirmAnswer {
  return typeof v === 'object' && v !== null && (v as ConfirmAnswer).confirmed === true;
}

/**
 * Focus back on the control that asked, once Jira has closed the modal and the page has re-rendered; when
 * that control is gone or disabled, on the page's announcement slot.
 */
export function focusBack(opener: Element | null): void {
  requestAnimationFrame(() => {
    if (opener instanceof HTMLElement && opener.isConnected && !opener.matches(':disabled')) opener.focus();
    else document.querySelector<HTMLElement>('[data-focus-after-action]')?.focus();
  });
}

/**
 * Ask in a modal; resolves with the answer, or null when the admin did not confirm. Rejects if Jira cannot
 * open it. When it closes, focus goes back to the control that asked.
 */
export function askToConfirm(request: ConfirmRequest): Promise<ConfirmAnswer | null> {
  const opener = document.activeElement;
  return new Promise((resolve, reject) => {
    const modal = new Modal({
      // The page's own resource (the default), opened with the request as its context.
      size: request.action === 'record' ? 'medium' : 'small',
      context: { [CONFIRM_CONTEXT]: request },
      closeOnEscape: true,
      closeOnOverlayClick: true,
      onClose: (payload: unknown) => {
        focusBack(opener);
        resolve(isAnswer(payload) ? payload : null);
      },
    });
    modal.open().catch(reject);
  });
}
