import Resolver, { Request } from '@forge/resolver';
import { NeedsAuthenticationError } from '@forge/api';
import { describeError, InvalidStorageKeyError, StorageReadError, StorageWriteError } from '../errors';
import { resolveTenant } from '../scheduled/tenant';
import {
  AdminCaller,
  generateManualReport,
  getAdminPage,
  getReport,
  recordInstallationNow,
  resetTriggerNow,
  retryTriggerNow,
} from './actions';
import { authorizeJiraAdministrator } from './authorization';
import { accountIdsOn, lookUpPeople } from './people';
import { runPlatformCheckNow } from './platform_check_action';
import { ADMIN_FUNCTIONS, AdminErrorCode, AdminResult, CONFIRMATIONS } from './contract';
import {
  Checked,
  checkConfirmedOnly,
  checkNoInput,
  checkRecordInstallation,
  checkReportRequest,
  checkTriggerAction,
} from './payloads';

/**
 * The admin page's resolver (`jira:adminPage` → `resolver: { function }`).
 * Every call, reads included, passes the same gate in this order:
 *   1. the site is the one Forge names in the trusted context (installContext),
 *   2. the calling user is a Jira administrator, asked of Jira as that user,
 *   3. the payload is exactly what the function takes, confirmation included,
 * and only then touches storage. Reads are gated too: reports are measured as
 * the app, which may see projects the user cannot, so their figures are not
 * for every user of the site.
 *
 * Answers are values (`{ ok: false, error }`), never throws, so the page can
 * say precisely what was refused and why. The one exception is Forge's
 * "user consent needed" error, which Forge itself must see.
 */

const TAG = '[Phase5Admin]';

const fail = (code: AdminErrorCode, message: string) => ({ ok: false as const, error: { code, message } });

/** `receivedAt`: when this resolver call began, which is when Forge's 25 s for it began. */
type Handler<P> = (caller: AdminCaller, input: P, call: { receivedAt: number }) => Promise<AdminResult>;

function gated<P>(functionKey: string, check: (payload: unknown, cloudId: string) => Checked<P>, handler: Handler<P>) {
  return async (request: Request): Promise<AdminResult> => {
    const receivedAt = Date.now();
    // Forge fills these from the invocation (installContext, accountId), not from the browser.
    const context = request.context as { cloudId?: unknown; installContext?: unknown; accountId?: unknown };
    try {
      const tenant = resolveTenant(
        { context: { cloudId: context.cloudId } },
        { installContext: context.installContext },
      );
      if (!tenant.ok) return fail('TENANT_CONTEXT_UNAVAILABLE', `The site could not be identified: ${tenant.detail}.`);
      const auth = await authorizeJiraAdministrator(context.accountId);
      if (!auth.ok) {
        console.warn(
          `${TAG} ${functionKey} refused for ${typeof context.accountId === 'string' ? context.accountId : 'no user'}: ${auth.error.code}`,
        );
        return auth;
      }
      const input = check(request.payload, tenant.cloudId);
      if (!input.ok) return fail('INVALID_INPUT', input.message);
      const result = await handler({ cloudId: tenant.cloudId, accountId: auth.accountId }, input.value, { receivedAt });
      console.log(`${TAG} ${functionKey} by ${auth.accountId}: ${result.ok ? 'ok' : result.error.code}`);
      return result;
    } catch (err) {
      if (err instanceof NeedsAuthenticationError) throw err;
      const storage = err instanceof StorageReadError || err instanceof StorageWriteError;
      const detail = storage && err.cause ? `${describeError(err)}: ${describeError(err.cause)}` : describeError(err);
      console.error(`${TAG} ${functionKey} failed: ${detail}`);
      if (storage)
        return fail('STORAGE_UNAVAILABLE', `Storage is not available right now (${detail}); nothing was changed.`);
      if (err instanceof InvalidStorageKeyError) return fail('INVALID_INPUT', detail);
      return fail('INTERNAL_ERROR', `Unexpected error: ${detail}`);
    }
  };
}

const resolver = new Resolver();

resolver.define(
  ADMIN_FUNCTIONS.getAdminPage,
  gated(ADMIN_FUNCTIONS.getAdminPage, checkNoInput, async (caller) => {
    const page = await getAdminPage(caller);
    if (!page.ok) return page;
    return { ...page, people: await lookUpPeople(accountIdsOn(page.view, caller.accountId)) };
  }),
);

resolver.define(
  ADMIN_FUNCTIONS.getReport,
  gated(ADMIN_FUNCTIONS.getReport, checkReportRequest, (_caller, input) => getReport(input.reportKey)),
);

resolver.define(
  ADMIN_FUNCTIONS.generateManualReport,
  gated(
    ADMIN_FUNCTIONS.generateManualReport,
    (p) => checkConfirmedOnly(p, CONFIRMATIONS.generateManualReport()),
    (caller) => generateManualReport(caller),
  ),
);

resolver.define(
  ADMIN_FUNCTIONS.retryTrigger,
  gated(
    ADMIN_FUNCTIONS.retryTrigger,
    (p) => checkTriggerAction(p, CONFIRMATIONS.retryTrigger),
    (caller, input) => retryTriggerNow(caller, input.trigger),
  ),
);

resolver.define(
  ADMIN_FUNCTIONS.resetTrigger,
  gated(
    ADMIN_FUNCTIONS.resetTrigger,
    (p) => checkTriggerAction(p, CONFIRMATIONS.resetTrigger),
    (caller, input) => resetTriggerNow(caller, input.trigger),
  ),
);

resolver.define(
  ADMIN_FUNCTIONS.recordInstallation,
  gated(ADMIN_FUNCTIONS.recordInstallation, checkRecordInstallation, (caller, input) =>
    recordInstallationNow(caller, input.installedAt),
  ),
);

resolver.define(
  ADMIN_FUNCTIONS.runPlatformCheck,
  gated(
    ADMIN_FUNCTIONS.runPlatformCheck,
    (p) => checkConfirmedOnly(p, CONFIRMATIONS.runPlatformCheck()),
    (caller, _input, call) => runPlatformCheckNow(caller, call.receivedAt),
  ),
);

/** The function manifest.yml's admin page resolver names (`admin_entry.adminPageResolver`). */
export const adminPageResolver = resolver.getDefinitions();
