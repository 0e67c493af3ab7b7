/**
 * Step 1, tenant identity, as a pure function of the two arguments Forge passes
 * a scheduled trigger: `request.context.cloudId` is the tenant; the second
 * argument's `installContext` (`ari:cloud:jira::site/<cloudId>`), when present,
 * must name the same site. There is deliberately no fallback from one to the
 * other: if Forge does not tell us plainly whose site this is, we do nothing.
 */

/** Forge cloudIds are UUIDs; anything else is not a tenant we can safely key storage by. */
const CLOUD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SITE_ARI = /^ari:cloud:[a-z0-9-]+::site\/(.+)$/;

export type Tenant =
  | { ok: true; cloudId: string }
  | { ok: false; errorCode: 'TENANT_CONTEXT_UNAVAILABLE' | 'TENANT_CONTEXT_MISMATCH'; detail: string };

function field(obj: unknown, name: string): unknown {
  return typeof obj === 'object' && obj !== null ? (obj as Record<string, unknown>)[name] : undefined;
}

export function resolveTenant(request: unknown, context: unknown): Tenant {
  const cloudId = field(field(request, 'context'), 'cloudId');
  if (typeof cloudId !== 'string' || cloudId.trim() === '') {
    return {
      ok: false,
      errorCode: 'TENANT_CONTEXT_UNAVAILABLE',
      detail: 'request.context.cloudId is missing or blank',
    };
  }
  if (!CLOUD_ID.test(cloudId)) {
    return { ok: false, errorCode: 'TENANT_CONTEXT_UNAVAILABLE', detail: 'request.context.cloudId is not a cloud ID' };
  }
  const installContext = field(context, 'installContext');
  if (installContext !== undefined && installContext !== null) {
    const site = typeof installContext === 'string' ? SITE_ARI.exec(installContext) : null;
    if (!site || site[1] !== cloudId) {
      return {
        ok: false,
        errorCode: 'TENANT_CONTEXT_MISMATCH',
        detail: 'context.installContext does not name the site in request.context.cloudId',
      };
    }
  }
  return { ok: true, cloudId };
}

/**
 * Step 1 for a wake-up event, held to the tick's standard. Forge delivers an
 * async event to its consumer with the site in the second argument's
 * `installContext`; the docs do not promise a `cloudId` anywhere else, but one
 * may appear on the event's or the invocation's `context`. Every place the
 * platform names a site must name the same one, at least one must, and it must
 * be a cloud ID. The event body is the app's own words, not the platform's: it
 * can never supply the tenant, only disagree with it, and a body naming another
 * site fails the invocation closed.
 */
export function resolveWakeUpTenant(event: unknown, context: unknown): Tenant {
  const named: string[] = [];
  const installContext = field(context, 'installContext');
  if (installContext !== undefined && installContext !== null) {
    const site = typeof installContext === 'string' ? SITE_ARI.exec(installContext) : null;
    if (!site) {
      return { ok: false, errorCode: 'TENANT_CONTEXT_UNAVAILABLE', detail: 'context.installContext is not a site ARI' };
    }
    named.push(site[1]);
  }
  for (const [where, value] of [
    ['event.context.cloudId', field(field(event, 'context'), 'cloudId')],
    ['context.cloudId', field(context, 'cloudId')],
  ] as const) {
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string' || value.trim() === '') {
      return { ok: false, errorCode: 'TENANT_CONTEXT_UNAVAILABLE', detail: `${where} is blank or not a string` };
    }
    named.push(value);
  }
  if (named.length === 0) {
    return {
      ok: false,
      errorCode: 'TENANT_CONTEXT_UNAVAILABLE',
      detail: 'the event names no site (no context.installContext, no cloudId)',
    };
  }
  const cloudId = named[0];
  if (!CLOUD_ID.test(cloudId)) {
    return { ok: false, errorCode: 'TENANT_CONTEXT_UNAVAILABLE', detail: 'the site named is not a cloud ID' };
  }
  if (named.some((n) => n !== cloudId)) {
    return {
      ok: false,
      errorCode: 'TENANT_CONTEXT_MISMATCH',
      detail: 'the invocation context names more than one site',
    };
  }
  const claimed = field(field(event, 'body'), 'cloud_id');
  if (claimed !== undefined && claimed !== cloudId) {
    return {
      ok: false,
      errorCode: 'TENANT_CONTEXT_MISMATCH',
      detail: 'the event body names another site than the invocation context',
    };
  }
  return { ok: true, cloudId };
}
