/**
 * search/jql's opaque `nextPageToken`.
 *
 * The token pins the instant the first page was computed at (`asOf`), so
 * paging through a result set sees one consistent snapshot even while the
 * clock advances and new issues appear; otherwise issues created between two
 * page requests could shift the listing and be skipped or repeated. It also
 * carries a hash of the JQL so a token cannot be replayed against another
 * query, which Jira rejects too.
 */
import { hashString } from '../prng';
import type { IssueCursor } from './site';

interface TokenContent extends IssueCursor {
  asOf: number;
  jqlHash: number;
}

export function encodePageToken(content: TokenContent): string {
  const { asOf, projectIndex, n, jqlHash } = content;
  return Buffer.from(JSON.stringify({ v: 1, a: asOf, p: projectIndex, n, h: jqlHash })).toString('base64url');
}

/** The token's content, or undefined if it is not a token this emulator issued for this JQL. */
export function decodePageToken(token: string, jql: string): TokenContent | undefined {
  try {
    const raw: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof raw !== 'object' || raw === null) return undefined;
    const { v, a, p, n, h } = raw as Record<string, unknown>;
    const integers = [a, p, n, h].every((x) => Number.isSafeInteger(x));
    if (v !== 1 || !integers || h !== hashJql(jql)) return undefined;
    return { asOf: a as number, projectIndex: p as number, n: n as number, jqlHash: h as number };
  } catch {
    return undefined;
  }
}

/** Tells queries apart; not a security measure. */
export function hashJql(jql: string): number {
  return hashString(jql);
}
