import { randomBytes } from 'node:crypto';
import { keys, store } from '../storage';
import type { AutoTrigger } from '../storage';
import type { Ttl } from '../storage/kvs_store';
import { isRecord } from '../scheduled/scheduler_state';
import { parseIsoInstant, toIso } from '../time';
import { ADMIN } from './config';
import type { AuditAction, AuditEntryView } from './contract';

/**
 * Who did what on the admin page. One KVS entry per action, so two admins
 * acting at once never overwrite each other's entries; each expires after a
 * year. The entry is written in the same transaction as the change it
 * describes wherever the change is a transaction, so the log never claims a
 * change that did not happen.
 */

export interface StoredAuditEntry {
  schema_version: number;
  at: string;
  action: AuditAction;
  account_id: string;
  trigger: AutoTrigger | null;
  outcome: 'done' | 'failed';
  detail: string;
  changed_keys: string[];
}

export interface AuditRecord {
  key: string;
  value: StoredAuditEntry;
  ttl: Ttl;
}

export function auditRecord(
  cloudId: string,
  at: number,
  entry: {
    action: AuditAction;
    accountId: string;
    trigger?: AutoTrigger;
    outcome: 'done' | 'failed';
    detail: string;
    changedKeys: string[];
  },
): AuditRecord {
  return {
    key: keys.auditEntry(cloudId, at, randomBytes(3).toString('hex')),
    value: {
      schema_version: 1,
      at: toIso(at),
      action: entry.action,
      account_id: entry.accountId,
      trigger: entry.trigger ?? null,
      outcome: entry.outcome,
      detail: entry.detail,
      changed_keys: entry.changedKeys,
    },
    ttl: { value: ADMIN.auditTtlDays, unit: 'DAYS' },
  };
}

/** For changes that are not a transaction (create-if-absent): the entry follows the change. */
export async function appendAudit(record: AuditRecord): Promise<void> {
  await store.write(record.key, record.value, record.ttl);
}

const ACTIONS: readonly AuditAction[] = [
  'GENERATE_MANUAL_REPORT',
  'RETRY_TRIGGER',
  'RESET_TRIGGER',
  'RECORD_INSTALLATION',
  'RUN_PLATFORM_CHECK',
];

/** A stored entry for the page, or null when it does not parse (it is skipped, not guessed at). */
export function auditEntryView(key: string, raw: unknown): AuditEntryView | null {
  if (!isRecord(raw)) return null;
  const at = parseIsoInstant(raw.at);
  const action = ACTIONS.find((a) => a === raw.action);
  if (at === null || !action || typeof raw.account_id !== 'string') return null;
  return {
    key,
    at: toIso(at),
    action,
    accountId: raw.account_id,
    trigger: raw.trigger === 'AUTO_12H' || raw.trigger === 'AUTO_24H' ? raw.trigger : null,
    outcome: raw.outcome === 'failed' ? 'failed' : 'done',
    detail: typeof raw.detail === 'string' ? raw.detail : '',
    changedKeys: Array.isArray(raw.changed_keys)
      ? raw.changed_keys.filter((k): k is string => typeof k === 'string')
      : [],
  };
}
