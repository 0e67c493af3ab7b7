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
