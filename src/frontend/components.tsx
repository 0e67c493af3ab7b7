import { ReactNode, useEffect, useRef } from 'react';

/**
 * The few Atlassian-design pieces the page needs (lozenge, section message,
 * button, modal dialog, spinner), drawn with plain CSS in admin_page.css. No
 * design-system package: Custom UI serves only what it bundles, offline.
 */

export type LozengeAppearance = 'default' | 'success' | 'removed' | 'inprogress' | 'moved' | 'new';

export function Lozenge({ appearance = 'default', children }: { appearance?: LozengeAppearance; children: ReactNode }) {
  return <span className={`lozenge lozenge--${appearance}`}>{children}</span>;
}

export type MessageAppearance = 'information' | 'warning' | 'error' | 'success';

const ICON_PATHS: Record<MessageAppearance, string> = {
  information: 'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm1 15h-2v-6h2v6zm0-8h-2V7h2v2z',
  warning: 'M12.9 3.5a1 1 0 0 0-1.8 0l-9 16A1 1 0 0 0 3 21h18a1 1 0 0 0 .9-1.5l-9-16zM13 18h-2v-2h2v2zm0-4h-2V9h2v5z',
  error:
    'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm4.2 12.8-1.4 1.4L12 13.4l-2.8 2.8-1.4-1.4 2.8-2.8-2.8-2.8 1.4-1.4 2.8 2.8 2.8-2.8 1.4 1.4-2.8 2.8 2.8 2.8z',
  success: 'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm-1.5 14.5-4-4 1.4-1.4 2.6 2.6 5.6-5.6 1.4 1.4-7 7z',
};

export function SectionMessage(props: {
  appearance: MessageAppearance;
  title?: string;
  children?: ReactNode;
  actions?: ReactNode;
  testId?: string;
}) {
  return (
    <section
      className={`section-message section-message--${props.appearance}`}
      role="status"
      data-testid={props.testId}
    >
      <svg className="section-message__icon" viewBox="0 0 24 24" aria-hidden="true">
        <path d={ICON_PATHS[props.appearance]} />
      </svg>
      <div className="section-message__content">
        {props.title && <h2 className="section-message__title">{props.title}</h2>}
        {props.children && <div className="section-message__body">{props.children}</div>}
        {props.actions && <div className="section-message__actions">{props.actions}</div>}
      </div>
    </section>
  );
}

export function Button(props: {
  appearance?: 'default' | 'primary' | 'danger' | 'subtle' | 'link';
  onClick?: () => void;
  disabled?: boolean;
  title?: string;
  children: ReactNode;
  testId?: string;
}) {
  return (
    <button
      type="button"
      className={`button button--${props.appearance ?? 'default'}`}
      onClick={props.onClick}
      disabled={props.disabled}
      title={props.title}
      data-testid={props.testId}
    >
      {props.children}
    </button>
  );
}

export function Spinner({ label }: { label: string }) {
  return (
    <span className="spinner" role="progressbar" aria-label={label}>
      <span className="spinner__ring" />
    </span>
  );
}

/** A modal confirmation in the style of Atlassian's ModalDialog: Escape and Cancel close it. */
export function ConfirmDialog(props: {
  title: string;
  appearance: 'primary' | 'danger';
  confirmLabel: string;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
  children: ReactNode;
}) {
  const confirmRef = useRef<HTMLDivElement>(null);
  const { onCancel, busy } = props;
  useEffect(() => {
    confirmRef.current?.querySelector<HTMLButtonElement>('.button--subtle')?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !busy) onCancel();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onCancel, busy]);
  return (
    <div className="blanket">
      <div className="modal" role="dialog" aria-modal="true" aria-labelledby="modal-title" ref={confirmRef}>
        <header className="modal__header">
          {props.appearance === 'danger' && (
            <svg className="modal__icon" viewBox="0 0 24 24" aria-hidden="true">
              <path d={ICON_PATHS.warning} />
            </svg>
          )}
          <h1 id="modal-title" className="modal__title">
            {props.title}
          </h1>
        </header>
        <div className="modal__body">{props.children}</div>
        <footer className="modal__footer">
          <Button appearance="subtle" onClick={props.onCancel} disabled={props.busy}>
            Cancel
          </Button>
          <Button appearance={props.appearance} onClick={props.onConfirm} disabled={props.busy} testId="confirm-action">
            {props.busy ? <Spinner label="Working" /> : null}
            {props.confirmLabel}
          </Button>
        </footer>
      </div>
    </div>
  );
}
