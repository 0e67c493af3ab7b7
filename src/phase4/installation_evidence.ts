import { InvocationError, InvocationErrorCode } from '@forge/events';
import { describeError } from '../errors';
import { keys, store } from '../storage';
import { initializeInstallation } from '../scheduled/ledger_upgrade';
import type { InstallationEvidence } from '../scheduled/scheduler_state';
import { parseIsoInstant } from '../time';
import { toIso } from '../time';

/**
 * Phase-4 installation evidence: the one record the scheduler trusts for "when
 * was the app installed here". Forge gives no install time, so the time the
 * `avi:forge:installed:app` event is first delivered is the installation time. It is
 * written create-if-absent: a duplicate or late event (Forge delivers lifecycle
 * events up to minutes late, and may deliver twice) never moves it.
 */

const SITE_ARI = /^ari:cloud:[a-z0-9-]+::site\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

export const EVIDENCE_SOURCE_EVENT = 'avi:forge:installed:app';
export const EVIDENCE_SOURCE_ADMIN = 'admin';

function siteOf(ari: unknown): string | null {
  return typeof ari === 'string' ? (SITE_ARI.exec(ari)?.[1] ?? null) : null;
}

function field(obj: unknown, name: string): unknown {
  return typeof obj === 'object' && obj !== null ? (obj as Record<string, unknown>)[name] : undefined;
}

/**
 * The site the event is about. Forge puts the site ARI in the event's `context`
 * (remote delivery) and in the handler's second argument (`installContext`); we
 * accept either, and when both are present they must agree.
 */
export function cloudIdFromInstalledEvent(event: unknown, context: unknown): string | null {
  const fromEvent = siteOf(field(event, 'context'));
  const fromContext = siteOf(field(context, 'installContext'));
  if (fromEvent && fromContext && fromEvent !== fromContext) return null;
  return fromEvent ?? fromContext;
}

/**
 * The top-level field names the installed event carried (names only, never values), so
 * the platform check can tell which documented fields a real delivery had. Bounded.
 */
function eventFields(event: unknown): string[] {
  if (typeof event !== 'object' || event === null) return [];
  return Object.keys(event)
    .filter((k) => /^[A-Za-z][A-Za-z0-9_]{0,39}$/.test(k))
    .sort()
    .slice(0, 20);
}

export type EvidenceWrite = { recorded: true; evidence: InstallationEvidence } | { recorded: false; existing: unknown };

async function recordEvidence(cloudId: string, evidence: InstallationEvidence): Promise<EvidenceWrite> {
  const key = keys.installationEvidence(cloudId);
  if (await store.createIfAbsent(key, evidence)) return { recorded: true, evidence };
  return { recorded: false, existing: await store.read(key) };
}

/** Retry a failed write: the scheduler can do nothing for this site until the evidence exists. */
const RETRY_AFTER_SECONDS = 60;

/**
 * How long after the first delivery a redelivery may come: Forge redelivers a lifecycle
 * event at most four times, each at most 900 s after the last (FORGE_FACTS, lifecycle events), plus
 * slack for late deliveries. A first-delivery time older than this is not believed.
 */
const FIRST_DELIVERY_MAX_AGE_MS = 2 * 60 * 60 * 1000;

/**
 * When the installed event was first delivered, as the first delivery said in its
 * InvocationError's `retryData`, which Forge hands back in the redelivery's
 * `retryContext`. The installation happened then, not when a retry finally got the
 * write through: without it, every refused write would move the installation time, and
 * both reports, a minute or more later. Only an instant that could be true is taken:
 * not after `now`, not older than a redelivery can come. Anything else (no retry
 * context, a platform that does not hand `retryData` back, a garbled value) is `now`.
 */
function firstDeliveryAt(event: unknown, now: number): number {
  const data = field(field(event, 'retryContext'), 'retryData');
  const at = parseIsoInstant(field(data, 'first_delivery_at'));
  return at !== null && at <= now && now - at <= FIRST_DELIVERY_MAX_AGE_MS ? at : now;
}

/** The lifecycle trigger's handler for `avi:forge:installed:app`. */
export async function installedEventHandler(event: unknown, context: unknown): Promise<InvocationError | void> {
  const cloudId = cloudIdFromInstalledEvent(event, context);
  if (!cloudId) {
    console.error('[Phase4Evidence] FAIL_CLOSED: installed event names no usable site; nothing recorded');
    return;
  }
  const now = Date.now();
  const installedAt = firstDeliveryAt(event, now);
  const version = field(field(event, 'app'), 'version');
  const installationId = field(event, 'id');
  try {
    const result = await recordEvidence(cloudId, {
      installation_timestamp: toIso(installedAt),
      source: EVIDENCE_SOURCE_EVENT,
      app_version: typeof version === 'string' ? version : null,
      recorded_at: toIso(now),
      ...(typeof installationId === 'string' ? { installation_id: installationId } : {}),
      event_fields: eventFields(event),
    });
    console.log(
      result.recorded
        ? `[Phase4Evidence] Installation recorded for ${cloudId} at ${toIso(installedAt)}`
        : `[Phase4Evidence] Installation evidence already exists for ${cloudId}; left unchanged`,
    );
    // The scheduler's ledger records and its state, so its first runs are idle ones (one read each).
    const stored = result.recorded ? result.evidence : result.existing;
    const storedAt = parseIsoInstant(
      (stored as { installation_timestamp?: unknown } | undefined)?.installation_timestamp,
    );
    if (storedAt !== null) await initializeInstallation(cloudId, storedAt, now);
  } catch (err) {
    console.error(`[Phase4Evidence] Recording installation for ${cloudId} failed: ${describeError(err)}; retrying`);
    return new InvocationError({
      retryAfter: RETRY_AFTER_SECONDS,
      retryReason: InvocationErrorCode.FUNCTION_RETRY_REQUEST,
      retryData: { first_delivery_at: toIso(installedAt) },
    });
  }
}

/**
 * The second source of evidence, for installations the installed event never
 * reached (they predate the lifecycle trigger, or its delivery was lost): an
 * administrator records when the app was installed, explicitly and attributed
 * to them; `recorded_at` says when they did. Never overwrites existing evidence.
 */
export async function recordInstallationByAdmin(
  cloudId: string,
  accountId: string,
  installedAt: number,
  now: number,
  appVersion: string | null,
): Promise<EvidenceWrite> {
  return recordEvidence(cloudId, {
    installation_timestamp: toIso(installedAt),
    source: EVIDENCE_SOURCE_ADMIN,
    app_version: appVersion,
    recorded_at: toIso(now),
    recorded_by: accountId,
  });
}
