import { randomBytes } from 'node:crypto';
import { keys, store } from '../storage';
import type { AutoTrigger } from '../storage';
import type { Ttl } from '../storage/kvs_store';
import { isRecord } from '../scheduled/scheduler_state';
import { parseIsoInstant, toIso } from '../time';
import { ADMIN } from './config';
import type { AuditAction, AuditEntryView, WordParam, Words } from './contract';

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
  /** In English: what older readers, support and anyone looking in storage read. */
  detail: string;
  /**
   * The same for the page, in any language (since schema_version 2). Its key is a stored contract:
   * a key renamed in the translations leaves older entries showing `detail`.
   */
  words?: Words;
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
    words: Words;
    changedKeys: string[];
  },
): AuditRecord {
  return {
    key: keys.auditEntry(cloudId, at, randomBytes(3).toString('hex')),
    value: {
      schema_version: 2,
      at: toIso(at),
      action: entry.action,
      account_id: entry.accountId,
      trigger: entry.trigger ?? null,
      outcome: entry.outcome,
      detail: entry.detail,
      words: entry.words,
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

function storedParam(p: unknown): p is WordParam {
  if (typeof p === 'string' || (typeof p === 'number' && Number.isFinite(p))) return true;
  if (!isRecord(p)) return false;
  if ('words' in p) return storedWords(p.words) !== null;
  return typeof p.at === 'string' && (p.relative === undefined || typeof p.relative === 'boolean');
}

/** Stored words as the page can use them, or null: an entry's words are untrusted like the rest of it. */
function storedWords(raw: unknown): Words | null {
  if (!isRecord(raw) || typeof raw.key !== 'string') return null;
  if (raw.params === undefined) return { key: raw.key as Words['key'] };
  if (!isRecord(raw.params) || !Object.values(raw.params).every(storedParam)) return null;
  return { key: raw.key as Words['key'], params: raw.params as Record<string, WordParam> };
}

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
    words: storedWords(raw.words),
    changedKeys: Array.isArray(raw.changed_keys)
      ? raw.changed_keys.filter((k): k is string => typeof k === 'string')
      : [],
  };
}
