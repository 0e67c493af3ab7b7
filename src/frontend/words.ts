import type { AuditAction, AutoTriggerName, ReportKind, TriggerStatus, WordKey } from '../admin/contract';

/** The page's words for the app's codes, by translation key: admins read these, never the codes themselves. */

export const TRIGGER_TITLE_KEYS: Record<AutoTriggerName, WordKey> = {
  AUTO_12H: 'trigger.title.AUTO_12H',
  AUTO_24H: 'trigger.title.AUTO_24H',
};

export const STATUS_LOZENGE: Record<TriggerStatus, { key: WordKey; appearance: LozengeAppearance }> = {
  unscheduled: { key: 'status.unscheduled', appearance: 'default' },
  waiting: { key: 'status.waiting', appearance: 'default' },
  due: { key: 'status.due', appearance: 'new' },
  generating: { key: 'status.generating', appearance: 'inprogress' },
  backing_off: { key: 'status.backingOff', appearance: 'moved' },
  done: { key: 'status.done', appearance: 'success' },
  missed: { key: 'status.missed', appearance: 'removed' },
};

export const AUDIT_ACTION_KEYS: Record<AuditAction, WordKey> = {
  GENERATE_MANUAL_REPORT: 'audit.action.GENERATE_MANUAL_REPORT',
  RETRY_TRIGGER: 'audit.action.RETRY_TRIGGER',
  RESET_TRIGGER: 'audit.action.RESET_TRIGGER',
  RECORD_INSTALLATION: 'audit.action.RECORD_INSTALLATION',
  RUN_PLATFORM_CHECK: 'audit.action.RUN_PLATFORM_CHECK',
};

// In English, below: the report history's own words (report_sections.tsx, report_view.tsx), until the
// report's view is translated too.

export const TRIGGER_TITLES: Record<AutoTriggerName, string> = {
  AUTO_12H: '12-hour report',
  AUTO_24H: '24-hour report',
};

export type LozengeAppearance = 'default' | 'success' | 'removed' | 'inprogress' | 'moved' | 'new';

export const STATUS: Record<TriggerStatus, { label: string; appearance: LozengeAppearance }> = {
  unscheduled: { label: 'Not scheduled', appearance: 'default' },
  waiting: { label: 'Waiting', appearance: 'default' },
  due: { label: 'Due', appearance: 'new' },
  generating: { label: 'Generating', appearance: 'inprogress' },
  backing_off: { label: 'Waiting to retry', appearance: 'moved' },
  done: { label: 'Done', appearance: 'success' },
  missed: { label: 'Missed', appearance: 'removed' },
};

export const AUDIT_LABELS: Record<AuditAction, string> = {
  GENERATE_MANUAL_REPORT: 'Generated a manual report',
  RETRY_TRIGGER: 'Retried now',
  RESET_TRIGGER: 'Reset',
  RECORD_INSTALLATION: 'Recorded the installation time',
  RUN_PLATFORM_CHECK: 'Ran the platform check',
};

export const REPORT_KINDS: Record<ReportKind, { label: string; appearance: LozengeAppearance }> = {
  AUTO_12H: { label: '12-hour', appearance: 'inprogress' },
  AUTO_24H: { label: '24-hour', appearance: 'inprogress' },
  MANUAL: { label: 'Manual', appearance: 'new' },
  REPLACED: { label: 'Replaced', appearance: 'default' },
};

/** The report's own trigger field (AUTO_12H, AUTO_24H, MANUAL) in words; anything else as written. */
export function reportTitle(trigger: unknown): string {
  if (trigger === 'AUTO_12H' || trigger === 'AUTO_24H') return TRIGGER_TITLES[trigger];
  if (trigger === 'MANUAL') return 'Manual report';
  return typeof trigger === 'string' ? trigger : 'Report';
}

/** Trigger codes inside the resolver's sentences, in words. */
export function inWords(sentence: string): string {
  return sentence.replace(/\b(AUTO_12H|AUTO_24H)\b/g, (code: string, _name: string, at: number) => {
    const title = TRIGGER_TITLES[code as AutoTriggerName];
    return /(^|[.!?:]\s+)$/.test(sentence.slice(0, at)) ? `The ${title}` : `the ${title}`;
  });
}
