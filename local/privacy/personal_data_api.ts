/**
 * Atlassian's personal data reporting API (`POST /app/report-accounts`, reached
 * by `privacy.reportPersonalData` in @forge/api through the Forge fetch seam as
 * an app call to `stargate`), as the user-privacy guide describes it:
 *   - a body `{ accounts: [{ accountId, updatedAt }] }` of 1 to 90 accounts,
 *     each id 1–128 of letters, digits, `-` and `:`, each time RFC 3339;
 *   - 200 with `{ accounts: [{ accountId, status: 'closed' | 'updated' }] }` when
 *     something must be erased or refreshed, 204 when nothing is;
 *   - 400 `{ errorType, errorMessage }` for a malformed request.
 * Which accounts are closed or updated is the test's to say. Every accepted
 * report is kept, so a test can see what was reported and when.
 */

export interface ReportedAccount {
  accountId: string;
  updatedAt: string;
}

const ACCOUNT_ID = /^[A-Za-z0-9:-]{1,128}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
export const REPORT_LIMIT = 90;

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

const malformed = (errorMessage: string) => json(400, { errorType: 'BAD_REQUEST', errorMessage });

export class PersonalDataApi {
  readonly closed = new Set<string>();
  readonly updated = new Set<string>();
  /** Every accepted request's accounts, in order. */
  readonly reports: ReportedAccount[][] = [];
  /** Answer every request with this status instead (429, 500, 503), or null. */
  failWith: number | null = null;

  handle(path: string, init: { method?: string; body?: string } = {}): Response {
    if (path.replace(/\/+$/, '') !== '/app/report-accounts') return json(404, { errorMessage: 'Not found' });
    if ((init.method ?? 'GET').toUpperCase() !== 'POST') return json(405, { errorMessage: 'Method not allowed' });
    if (this.failWith !== null) {
      return json(this.failWith, { errorType: 'UNAVAILABLE', errorMessage: 'Simulated failure' });
    }
    let body: unknown;
    try {
      body = JSON.parse(init.body ?? '');
    } catch {
      return malformed('The body is not JSON.');
    }
    const accounts = (body as { accounts?: unknown } | null)?.accounts;
    if (!Array.isArray(accounts) || accounts.length === 0 || accounts.length > REPORT_LIMIT) {
      return malformed(`accounts must be a list of 1 to ${REPORT_LIMIT} accounts.`);
    }
    for (const a of accounts as Array<Record<string, unknown>>) {
      if (typeof a?.accountId !== 'string' || !ACCOUNT_ID.test(a.accountId) || a.accountId === 'unknown') {
        return malformed(`Invalid accountId: ${JSON.stringify(a?.accountId)}`);
      }
      if (typeof a.updatedAt !== 'string' || !RFC3339.test(a.updatedAt) || !Number.isFinite(Date.parse(a.updatedAt))) {
        return malformed(`Invalid updatedAt for ${a.accountId}`);
      }
    }
    const reported = (accounts as ReportedAccount[]).map(({ accountId, updatedAt }) => ({ accountId, updatedAt }));
    this.reports.push(reported);
    const actions = reported.flatMap(({ accountId }) =>
      this.closed.has(accountId)
        ? [{ accountId, status: 'closed' }]
        : this.updated.has(accountId)
          ? [{ accountId, status: 'updated' }]
          : [],
    );
    return actions.length > 0 ? json(200, { accounts: actions }) : new Response(null, { status: 204 });
  }
}
