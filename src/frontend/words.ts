import type { AuditAction, AutoTriggerName, TriggerStatus, WordKey } from '../admin/contract';

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

export type LozengeAppearance = 'default' | 'success' | 'removed' | 'inprogress' | 'moved' | 'new';
