import { AUTO_TRIGGERS } from '../scheduled/decisions';
import { checkedKey, keys } from '../storage/keys';
import { CONFIRMATIONS } from './contract';
import type { AutoTriggerName, GetReportPayload, RecordInstallationPayload, TriggerActionPayload } from './contract';

/**
 * Resolver payloads come from a browser and are untrusted: each is checked for
 * exactly the fields its function takes, and every mutating call must carry the
 * confirmation phrase for exactly what it will do. A payload that does not
 * check out is refused with a message saying what was wrong, and nothing runs.
 */

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

const bad = <T>(message: string): Checked<T> => ({ ok: false, message });

function fields(payload: unknown, allowed: readonly string[]): Checked<Record<string, unknown>> {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    return bad('The request payload must be an object.');
  }
  const unknown = Object.keys(payload).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    const expected = allowed.length > 0 ? `expected only ${allowed.join(', ')}` : 'expected none';
    return bad(`Unexpected field(s) ${unknown.join(', ')}; ${expected}.`);
  }
  return { ok: true, value: payload as Record<string, unknown> };
}

function trigger(value: unknown): Checked<AutoTriggerName> {
  const found = AUTO_TRIGGERS.find((t) => t === value);
  return found ? { ok: true, value: found } : bad(`trigger must be one of ${AUTO_TRIGGERS.join(', ')}.`);
}

function confirmed(value: unknown, expected: string): Checked<string> {
  if (value !== expected) return bad(`This action must be confirmed: confirmation must be "${expected}".`);
  return { ok: true, value: expected };
}

export function checkNoInput(payload: unknown): Checked<Record<string, never>> {
  const f = fields(payload, []);
  return f.ok ? { ok: true, value: {} } : f;
}

export function checkConfirmedOnly(payload: unknown, expected: string): Checked<{ confirmation: string }> {
  const f = fields(payload, ['confirmation']);
  if (!f.ok) return f;
  const c = confirmed(f.value.confirmation, expected);
  return c.ok ? { ok: true, value: { confirmation: c.value } } : c;
}

export function checkTriggerAction(
  payload: unknown,
  confirmationFor: (typeof CONFIRMATIONS)['retryTrigger' | 'resetTrigger'],
): Checked<TriggerActionPayload> {
  const f = fields(payload, ['trigger', 'confirmation']);
  if (!f.ok) return f;
  const t = trigger(f.value.trigger);
  if (!t.ok) return t;
  const c = confirmed(f.value.confirmation, confirmationFor(t.value));
  return c.ok ? { ok: true, value: { trigger: t.value, confirmation: c.value } } : c;
}

/** The confirmation and an installation time; whether the time may be recorded is the action's to say. */
export function checkRecordInstallation(payload: unknown): Checked<RecordInstallationPayload> {
  const f = fields(payload, ['confirmation', 'installedAt']);
  if (!f.ok) return f;
  const c = confirmed(f.value.confirmation, CONFIRMATIONS.recordInstallation());
  if (!c.ok) return c;
  const installedAt = f.value.installedAt;
  if (typeof installedAt !== 'string' || installedAt.length > 40) {
    return bad('installedAt must be an ISO-8601 date and time, such as 2026-11-02T09:00:00Z.');
  }
  return { ok: true, value: { confirmation: c.value, installedAt } };
}

/** A report key must be a well-formed key under this site's reports; the page never reads anything else. */
export function checkReportRequest(payload: unknown, cloudId: string): Checked<GetReportPayload> {
  const f = fields(payload, ['reportKey']);
  if (!f.ok) return f;
  const key = f.value.reportKey;
  const prefix = keys.reportPrefix(cloudId);
  if (typeof key !== 'string' || !key.startsWith(prefix))
    return bad(`reportKey must be a key starting with ${prefix}.`);
  try {
    checkedKey(key);
  } catch {
    return bad('reportKey is not a valid storage key.');
  }
  return { ok: true, value: { reportKey: key } };
}
