import { causeOf } from '../../src/admin/causes';
import { say } from './support/english';

/**
 * A failed attempt's cause as the admin reads it, from the message the
 * scheduler stored: Jira's answer explained, never a code.
 */

const NOW = '2026-11-02T21:00:00.000Z';
const english = (message: string) => say(causeOf(message), NOW);
const german = (message: string) => say(causeOf(message), NOW, 'de-DE');

describe("a failed attempt's cause", () => {
  it.each([
    ['No site data could be read (SERVER_ERROR: 503 from Jira)', 'Jira answered 503 Service Unavailable'],
    ['No site data could be read (SERVER_ERROR: 500 from Jira)', 'Jira answered 500 Internal Server Error'],
    ['No site data could be read (SERVER_ERROR: 599 from Jira)', 'Jira answered with status 599'],
    ['No site data could be read (NOT_PERMITTED: 403 from Jira)', 'Jira answered 403 Forbidden'],
    ['No site data could be read (REMOVED_ENDPOINT: 410 Gone from Jira)', 'Jira answered 410 Gone'],
    [
      'No site data could be read (RATE_LIMITED: 429 from Jira; Retry-After 600 s)',
      'Jira answered 429 Too Many Requests',
    ],
    ['No site data could be read (TIMED_OUT: Jira did not answer in time)', 'Jira did not answer in time'],
    ['No site data could be read (SERVER_ERROR: fetch failed)', 'Jira could not be reached'],
    ['No site data could be read (SERVER_ERROR)', 'Jira answered with a server error'],
    ['No site data could be read (RATE_LIMITED)', 'Jira answered 429 Too Many Requests'],
    ['No site data could be read (NOT_PERMITTED)', 'Jira refused the app access'],
    [
      'No site data could be read (UNEXPECTED_RESPONSE: response was not JSON)',
      'Jira answered with something the app did not expect',
    ],
    ['Attempt #3 did not finish within its lease', 'the attempt stopped before it finished'],
    ['Attempt #3 failed', 'the attempt stopped before it finished'],
    ['Generation outlasted the claim lease; report discarded uncommitted', 'reading the site took too long'],
    ['Report commit failed: KVS transaction returned 500', 'the report could not be saved'],
    ['Report is 250000 bytes; the limit is 200000 bytes', 'the report was too large to save'],
    ['Something nobody wrote down', 'an unexpected error occurred'],
  ])('%s: "%s"', (message, words) => {
    expect(english(message)).toBe(words);
  });

  it('is the first dataset’s, when the datasets were refused in different ways', () => {
    expect(
      english('No site data could be read (SERVER_ERROR: 502 from Jira, TIMED_OUT: Jira did not answer in time)'),
    ).toBe('Jira answered 502 Bad Gateway');
  });

  it('reads in German too, with the status explained', () => {
    expect(german('No site data could be read (SERVER_ERROR: 503 from Jira)')).toBe(
      'Jira antwortete mit 503 (Dienst nicht verfügbar)',
    );
  });
});
