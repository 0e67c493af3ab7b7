import type { Words } from './contract';
import { words } from './words';

/**
 * Why an attempt failed, in the admin's words. The scheduler stores a failed
 * attempt's reason as the guide's free-text `last_error.message` (and records
 * written by every earlier version of the app are stored that way too), so the
 * cause is read from that text here, at the edge, once, by the one module that
 * knows what the generation path writes into it. Whatever it does not
 * recognise is still a cause the admin can act on: "an unexpected error", with
 * the stored text left for support in the page's diagnostics.
 */

/** HTTP reason phrases Jira answers with, by the keys the page translates them under. */
const STATUS_WORDS = {
  400: 'http.400',
  401: 'http.401',
  403: 'http.403',
  404: 'http.404',
  410: 'http.410',
  429: 'http.429',
  500: 'http.500',
  502: 'http.502',
  503: 'http.503',
  504: 'http.504',
} as const;

function jiraAnswered(status: number): Words {
  const phrase = STATUS_WORDS[status as keyof typeof STATUS_WORDS];
  if (phrase) return words('cause.jiraAnswered', { status: String(status), phrase: { words: words(phrase) } });
  return words('cause.jiraAnsweredCode', { status: String(status) });
}

/** What a dataset's read found, as `handleAutoTrigger` writes it: `REASON` or `REASON: detail`. */
function datasetCause(reason: string, detail: string): Words {
  const status = /\b([1-5]\d\d)\b(?: [A-Za-z ]+)? from Jira/.exec(detail);
  if (status) return jiraAnswered(Number(status[1]));
  switch (reason) {
    case 'TIMED_OUT':
      return words('cause.jiraSlow');
    case 'RATE_LIMITED':
      return jiraAnswered(429);
    case 'NOT_PERMITTED':
      return words('cause.jiraRefused');
    case 'REMOVED_ENDPOINT':
      return jiraAnswered(410);
    case 'SERVER_ERROR':
      // No status: the request itself failed (the connection, not Jira's answer).
      return words(detail === '' ? 'cause.jiraServerError' : 'cause.jiraUnreachable');
    case 'UNEXPECTED_RESPONSE':
      return words('cause.jiraUnexpected');
    default:
      return words('cause.unexpected');
  }
}

/** The cause of a failed attempt, from the message the scheduler stored for it. */
export function causeOf(message: string): Words {
  const read = /^No site data could be read \((.*)\)$/.exec(message);
  if (read) {
    // The first dataset's reason stands for all: they were read from the same Jira at the same moment.
    const first = read[1].split(/, (?=[A-Z_]+\b)/)[0] ?? '';
    const [reason, ...detail] = first.split(': ');
    return datasetCause(reason, detail.join(': '));
  }
  if (/^Attempt #\d+ (did not finish within its lease|failed)$/.test(message)) return words('cause.interrupted');
  if (/^Generation outlasted the claim lease/.test(message)) return words('cause.tooSlow');
  if (/^Report commit (failed|not attempted)/.test(message)) return words('cause.storage');
  if (/^Report is \d+ bytes; the limit is \d+ bytes$/.test(message)) return words('cause.tooLarge');
  return words('cause.unexpected');
}
