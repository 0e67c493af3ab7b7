import { asUser, NeedsAuthenticationError, route } from '@forge/api';
import { describeError } from '../errors';
import type { AdminError } from './contract';

/**
 * Only Jira administrators may use the admin page's resolver. Where the page is
 * placed (Jira settings) is not enough: anyone who can load the page's frame
 * can call its resolver with any payload. So every call asks Jira, as the
 * calling user, whether they hold the global ADMINISTER permission, and
 * anything short of a clear "yes" is a refusal.
 */

export type Authorization = { ok: true; accountId: string } | { ok: false; error: AdminError };

function refuse(code: AdminError['code'], message: string): Authorization {
  return { ok: false, error: { code, message } };
}

function holdsAdminister(body: unknown): boolean {
  const permissions = (body as { permissions?: Record<string, { havePermission?: unknown }> } | null)?.permissions;
  return permissions?.ADMINISTER?.havePermission === true;
}

/**
 * `accountId` is the resolver context's, which Forge fills from the
 * invocation's principal (never from the frontend). NeedsAuthenticationError
 * is let through: Forge answers it by asking the user to allow the app to act
 * for them, after which the page's next call succeeds.
 */
export async function authorizeJiraAdministrator(accountId: unknown): Promise<Authorization> {
  if (typeof accountId !== 'string' || accountId.trim() === '') {
    return refuse('NO_USER', 'This page is for Jira administrators; the request carries no signed-in user.');
  }
  let response: Awaited<ReturnType<ReturnType<typeof asUser>['requestJira']>>;
  try {
    response = await asUser().requestJira(route`/rest/api/3/mypermissions?permissions=ADMINISTER`, {
      headers: { Accept: 'application/json' },
    });
  } catch (err) {
    if (err instanceof NeedsAuthenticationError) throw err;
    return refuse('PERMISSION_CHECK_FAILED', `Jira could not confirm your permissions: ${describeError(err)}`);
  }
  if (!response.ok) {
    return refuse('PERMISSION_CHECK_FAILED', `Jira could not confirm your permissions (HTTP ${response.status}).`);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    return refuse('PERMISSION_CHECK_FAILED', 'Jira answered the permission check with something other than JSON.');
  }
  if (!holdsAdminister(body)) {
    return refuse('NOT_ADMIN', 'Only Jira administrators can view or change the site report scheduler.');
  }
  return { ok: true, accountId };
}
