import { createContext, ReactNode, useContext } from 'react';
import Avatar from '@atlaskit/avatar';
import Tooltip from '@atlaskit/tooltip';
import type { Person, WordKey, WordParam, Words } from '../admin/contract';
import { CLOSED_ACCOUNT } from '../privacy/personal_data';
import { exactUtc, formatLocalInstant, formatRelativeTime, UTC_VIEWER, Viewer } from './local_time';
import { Lookup, wordParts, wordsText, Wording } from './word_parts';

/**
 * What every part of the page needs to show words, people and times the way
 * this viewer reads them: the translations of their language, their locale and
 * time zone (from the Forge context), the resolver's clock, and the names Jira
 * gave for the account ids on the page.
 */
export interface Presentation {
  viewer: Viewer;
  /** The resolver's clock; relative times count from it, never from the browser's. */
  now: string;
  people: Record<string, Person>;
  lookup: Lookup;
}

const PresentationContext = createContext<Presentation>({
  viewer: UTC_VIEWER,
  now: new Date(0).toISOString(),
  people: {},
  lookup: () => null,
});

/** A key with no translation, or a placeholder with no value, is a bug: say so where a test will see it. */
const reportMissing = (what: string) => console.error(`Missing ${what}`);

function wordingOf(p: Presentation): Wording {
  return { lookup: p.lookup, viewer: p.viewer, now: p.now, onMissing: reportMissing };
}

/** The viewer's words as text: `say(words)` for what the resolver sent, `t(key, params)` for the page's own. */
export function useWords(): {
  say: (w: Words) => string;
  t: (key: WordKey, params?: Record<string, WordParam>) => string;
} {
  const wording = wordingOf(useContext(PresentationContext));
  return {
    say: (w) => wordsText(w, wording),
    t: (key, params) => wordsText(params ? { key, params } : { key }, wording),
  };
}

/** Words shown in the page, each instant in them as an {@link Instant}. */
export function Say({ words }: { words: Words }) {
  const wording = wordingOf(useContext(PresentationContext));
  return (
    <>
      {wordParts(words, wording).map((part, i) =>
        'text' in part ? part.text : <Instant key={i} at={part.at} relative={part.relative} />,
      )}
    </>
  );
}

/** The page's own words, by key. */
export function T({ k, params }: { k: WordKey; params?: Record<string, WordParam> }) {
  return <Say words={params ? { key: k, params } : { key: k }} />;
}

export function PresentationProvider({ value, children }: { value: Presentation; children: ReactNode }) {
  return <PresentationContext.Provider value={value}>{children}</PresentationContext.Provider>;
}

export function usePresentation(): Presentation {
  return useContext(PresentationContext);
}

/** An instant in the viewer's zone and locale; the exact UTC instant on hover and in `datetime`. */
export function Instant({ at, relative = false }: { at: string | null | undefined; relative?: boolean }) {
  const { viewer, now } = usePresentation();
  if (!at || !Number.isFinite(Date.parse(at))) return <span>—</span>;
  const iso = new Date(Date.parse(at)).toISOString();
  return (
    <Tooltip content={exactUtc(iso)}>
      {(tooltip) => (
        <time {...tooltip} dateTime={iso} data-utc={iso}>
          {formatLocalInstant(iso, viewer)}
          {relative && <span className="subtle"> ({formatRelativeTime(iso, now, viewer)})</span>}
        </time>
      )}
    </Tooltip>
  );
}

/**
 * A person by the name Jira shows for them, with their avatar. When Jira did
 * not give a name (the lookup failed, or the account is gone) the account id
 * itself is shown, so the row still says who it was.
 */
export function PersonName({ accountId, size = 'small' }: { accountId: string; size?: 'xsmall' | 'small' }) {
  const person = usePresentation().people[accountId];
  if (accountId === CLOSED_ACCOUNT) {
    return (
      <span className="subtle" data-testid="person" data-account-id={accountId}>
        <T k="person.closedAccount" />
      </span>
    );
  }
  if (!person) {
    return (
      <span className="account-id" data-testid="person" data-account-id={accountId}>
        {accountId}
      </span>
    );
  }
  return (
    <span className="person" data-testid="person" data-account-id={accountId}>
      <Avatar size={size} src={person.avatarUrl ?? undefined} />
      <span>{person.displayName}</span>
    </span>
  );
}
