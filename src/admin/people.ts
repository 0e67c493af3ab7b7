import { asUser, NeedsAuthenticationError, route } from '@forge/api';
import { describeError } from '../errors';
import { isReportableAccountId } from '../privacy/personal_data';
import type { AdminPageView, Person } from './contract';

/**
 * Names for the account ids the admin page shows, asked of Jira's user API as
 * the calling admin (scope read:jira-user), so Jira applies its own profile
 * visibility rules for that admin. The names are only shown, never stored:
 * storage keeps account ids alone, and a name is looked up each time the page
 * loads (Forge's privacy guidance: fetch personal data when needed).
 *
 * A failed lookup is not a failed page: the ids it could not name are shown
 * as ids, and the reason is logged.
 */

const TAG = '[Phase5Admin]';

/** Ids per request; Jira pages the bulk answer, so `maxResults` asks for all of them at once. */
const PER_REQUEST = 50;

/** Every account id on the page, once: the caller, who recorded the installation, requesters, audit entries. */
export function accountIdsOn(view: AdminPageView, caller: string): string[] {
  const ids = [
    caller,
    view.installation.recordedBy,
    ...view.reports.map((r) => r.by),
    ...view.audit.map((e) => e.accountId),
  ];
  // Not the marker left where a closed account's id was anonymised, nor Jira's "unknown".
  return [...new Set(ids.filter(isReportableAccountId))];
}

interface BulkUser {
  accountId?: unknown;
  displayName?: unknown;
  avatarUrls?: Record<string, unknown>;
}

function personOf(user: BulkUser): [string, Person] | null {
  if (typeof user.accountId !== 'string' || typeof user.displayName !== 'string' || user.displayName === '') {
    return null;
  }
  const avatar = user.avatarUrls?.['48x48'];
  return [user.accountId, { displayName: user.displayName, avatarUrl: typeof avatar === 'string' ? avatar : null }];
}

export async function lookUpPeople(accountIds: string[]): Promise<Record<string, Person>> {
  const people: Record<string, Person> = {};
  for (let i = 0; i < accountIds.length; i += PER_REQUEST) {
    const chunk = accountIds.slice(i, i + PER_REQUEST);
    const query = new URLSearchParams([['maxResults', String(chunk.length)], ...chunk.map((id) => ['accountId', id])]);
    try {
      const response = await asUser().requestJira(route`/rest/api/3/user/bulk?${query}`, {
        headers: { Accept: 'application/json' },
      });
      if (!response.ok) {
        console.warn(`${TAG} names for ${chunk.length} account(s) not available: HTTP ${response.status}`);
        continue;
      }
      const body = (await response.json()) as { values?: unknown };
      for (const user of Array.isArray(body.values) ? (body.values as BulkUser[]) : []) {
        const entry = personOf(user);
        if (entry && chunk.includes(entry[0])) people[entry[0]] = entry[1];
      }
    } catch (err) {
      if (err instanceof NeedsAuthenticationError) throw err;
      console.warn(`${TAG} names for ${chunk.length} account(s) not available: ${describeError(err)}`);
    }
  }
  return people;
}
