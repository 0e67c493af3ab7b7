import { DevWorld, SCENARIOS, ScenarioName } from '../../../local/dev/dev_world';
import type { AdminPageResponse, Words } from '../../../src/admin/contract';
import { CONFIRMATIONS } from '../../../src/admin/contract';
import { isWords, say } from '../../admin/support/english';
import { internalTermsIn } from '../../support/internal_terms';

/**
 * Every dev scenario, as an admin reads its page: the resolver's answer for
 * `npm run dev`'s made-up installations (the real scheduler brought them
 * there), every word in it written out in English and in German as the page
 * writes it. No word of the app's insides, no key or placeholder left unfilled,
 * and the page's first words say the app's health as each scenario has it.
 */

jest.setTimeout(60_000);

function wordsIn(value: unknown): Words[] {
  if (isWords(value)) return [value];
  if (Array.isArray(value)) return value.flatMap(wordsIn);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(wordsIn);
  return [];
}

async function pageOf(world: DevWorld): Promise<AdminPageResponse> {
  const outcome = await world.invoke('getAdminPage', {}, 'admin');
  const answer = outcome.result as { ok: boolean } & AdminPageResponse;
  if (!answer.ok) throw new Error(`getAdminPage refused: ${JSON.stringify(outcome)}`);
  return answer;
}

/** The health, and every other situation, by kind: what the top of the page is about. */
const HEALTH: Record<ScenarioName, Array<string | null>> = {
  'done-12h': [null],
  failing: ['report_failing', 'report_missed'],
  'no-installation': ['installation_missing'],
  'last-chance': ['report_last_chance'],
  'outcome-unknown': ['report_unaccounted'],
};

describe.each(Object.keys(SCENARIOS) as ScenarioName[])('the %s scenario', (scenario) => {
  let world: DevWorld;
  beforeAll(async () => {
    world = new DevWorld(scenario);
    await world.prepare();
  });
  afterAll(() => world.dispose());

  it('says the health its situation has, one message per situation', async () => {
    const { view } = await pageOf(world);

    expect([view.health.kind, ...view.messages.map((m) => m.kind)]).toEqual(HEALTH[scenario]);
  });

  it.each(['en-US', 'de-DE'] as const)(
    'in %s, says nothing of the app’s insides and leaves nothing unfilled',
    async (locale) => {
      const { view } = await pageOf(world);
      const said = wordsIn(view).map((w) => say(w, view.now, locale));

      expect(said.length).toBeGreaterThanOrEqual(8);
      expect(said.flatMap(internalTermsIn)).toEqual([]);
    },
  );
});

describe('what the admin reads about an outage, and after trying again', () => {
  it('the failing scenario: Jira’s answer explained, the one thing to do, and the retry’s own words', async () => {
    const world = new DevWorld('failing');
    try {
      await world.prepare();
      const before = (await pageOf(world)).view;

      const retried = await world.invoke(
        'retryTrigger',
        { trigger: 'AUTO_24H', confirmation: CONFIRMATIONS.retryTrigger('AUTO_24H') },
        'admin',
      );
      const after = (await pageOf(world)).view;

      expect(say(before.health.why, before.now)).toBe(
        'The 24-hour report could not be made: Jira answered 503 Service Unavailable. It has failed 3 times; ' +
          'the app tries again Nov 4, 2026, 11:30 AM UTC (in 23 hours).',
      );
      expect(say(before.health.why, before.now, 'de-DE')).toBe(
        'Der 24-Stunden-Bericht konnte nicht erstellt werden: Jira antwortete mit 503 (Dienst nicht verfügbar). ' +
          'Er ist 3-mal gescheitert; die App versucht es erneut am 04.11.2026, 11:30 UTC (in 23 Stunden).',
      );
      expect(say(before.messages[0].why, before.now)).toBe(
        'The 12-hour report was missed: it could not be made before its time ran out at Nov 3, 2026, 9:00 AM UTC. ' +
          'The last attempt failed: Jira answered 503 Service Unavailable.',
      );
      const answer = retried.result as { ok: boolean; words: Words };
      expect(say(answer.words, after.now)).toBe(
        'The app is trying the 24-hour report now; this page shows the outcome in a moment.',
      );
      // Jira is still down: the attempt the retry asked for was made at once, and failed too.
      expect(after.triggers[1]).toMatchObject({ status: 'backing_off', failedAttempts: 4 });
      expect(say(after.audit[0].words!, after.now)).toBe('Tried again after 3 failed attempts.');
    } finally {
      world.dispose();
    }
  });
});
