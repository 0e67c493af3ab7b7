import { LocalApp, RecordedOutcome } from '../../local/runtime/local_app';
import type { SchedulerOutcome } from '../../src/scheduled/phase5_scheduler';
import type { Phase5Report } from '../../src/phase5/report';
import { COMBINATIONS, SINGLE_VARIANTS, VariantCase } from './variant_catalogue';

/**
 * The scheduler's whole story under every platform alternative the docs leave open:
 * installed event → a tick every five minutes → the 12 h report once → the 24 h report
 * once → idle. Whatever the platform answers, each trigger's report is stored exactly
 * once, close to its due time, and no tick is an outage (503/500). The idle cost of
 * each variant is pinned, so a change that makes idling dearer shows up here.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const TICK = 5 * MINUTE;
const STORY_END = 27 * HOUR;

interface Tick {
  ageMs: number;
  statusCode: number;
  reason: string;
  trigger?: string;
  kvsRequests: number;
  kvsWrites: number;
  recordedAs: RecordedOutcome | undefined;
}

interface Story {
  ticks: Tick[];
  stored: Map<string, unknown>;
  cloudId: string;
  evidence: unknown;
}

async function tell(variant: VariantCase): Promise<Story> {
  const app = new LocalApp({ variants: variant.overrides, seed: 7 });
  try {
    const inst = app.newInstallation();
    const installedAt = app.clock.now();
    const installed = await app.invoker.installed(inst);
    expect(installed.killed).toBe(false);
    const ticks: Tick[] = [];
    while (app.clock.now() - installedAt < STORY_END) {
      app.clock.advance(TICK);
      const deliveries = variant.duplicates ? 2 : 1;
      const runs = await Promise.all(
        Array.from({ length: deliveries }, () => app.runScheduler<SchedulerOutcome>(inst)),
      );
      for (const run of runs) {
        expect(run.killed).toBe(false);
        ticks.push({
          ageMs: app.clock.now() - installedAt,
          statusCode: run.statusCode as number,
          reason: run.body?.reason ?? 'UNPARSEABLE',
          trigger: run.body?.trigger,
          kvsRequests: run.invocation.stats.kvsRequests,
          kvsWrites: run.invocation.stats.kvsWriteRequests,
          recordedAs: run.recordedAs,
        });
      }
    }
    const stored = app.stored(inst);
    return {
      ticks,
      stored,
      cloudId: inst.cloudId,
      evidence: stored.get(`phase4:evidence:installation:${inst.cloudId}`),
    };
  } finally {
    app.dispose();
  }
}

function idleCost(ticks: Tick[], from: number, to: number): number[] {
  return [
    ...new Set(
      ticks.filter((t) => t.ageMs >= from && t.ageMs < to && t.reason === 'NO_TRIGGER_DUE').map((t) => t.kvsRequests),
    ),
  ].sort();
}

/** KVS requests of an idle invocation: [before the 12 h report, after both reports]. */
const IDLE_COST: Record<string, [number[], number[]]> = Object.fromEntries(
  // An idle invocation reads the state alone, with one `get`, whatever batches do.
  [...SINGLE_VARIANTS, ...COMBINATIONS].map((v) => [v.name, [[1], [1]]]),
);

/**
 * `npm test` (the everyday loop) tells the story under a sample of the matrix: the defaults, the one variant
 * that contradicts the docs, and every alternative at once with duplicate deliveries. `npm run test:all`
 * (and CI) tells it under every case. jest.config.js sets VARIANT_MATRIX=sample.
 */
const SAMPLE = ['defaults', 'get and batchGet lag writes by 10 min', 'every alternative at once, duplicate deliveries'];
const ALL_CASES = [...SINGLE_VARIANTS, ...COMBINATIONS].filter(
  (v) => process.env.VARIANT_MATRIX !== 'sample' || SAMPLE.includes(v.name),
);

describe.each(ALL_CASES.filter((v) => v.againstDocs))(
  'against the documentation, the app stays safe: $name',
  (variant) => {
    let story: Story;
    beforeAll(async () => {
      story = await tell(variant);
    });

    it('never stores a second report, never fails with a 500, and idles without writing', () => {
      const generated = story.ticks.filter((t) => t.reason === 'GENERATED').map((t) => t.trigger);
      expect(new Set(generated).size).toBe(generated.length);
      const reports = [...story.stored.keys()].filter((k) => k.startsWith('phase5:report:'));
      expect(reports.length).toBeLessThanOrEqual(2);
      expect(story.ticks.filter((t) => t.statusCode === 500)).toEqual([]);
      const idle = story.ticks.filter((t) => t.reason === 'NO_TRIGGER_DUE');
      expect(idle.filter((t) => t.kvsWrites > 0)).toEqual([]);
    });
  },
);

describe.each(ALL_CASES.filter((v) => !v.againstDocs))('the scheduler story: $name', (variant) => {
  let story: Story;
  beforeAll(async () => {
    story = await tell(variant);
  });

  it('stores each automatic report exactly once, under its own key, and nothing else', () => {
    const reports = [...story.stored.keys()].filter((k) => k.startsWith('phase5:report:')).sort();
    expect(reports).toEqual([`phase5:report:${story.cloudId}:AUTO_12H`, `phase5:report:${story.cloudId}:AUTO_24H`]);
    const generated = story.ticks.filter((t) => t.reason === 'GENERATED').map((t) => t.trigger);
    expect(generated).toEqual(['AUTO_12H', 'AUTO_24H']);
  });

  it('generates each report within an hour of its due time', () => {
    const at = (trigger: string) => story.ticks.find((t) => t.reason === 'GENERATED' && t.trigger === trigger)?.ageMs;
    expect(at('AUTO_12H')).toBeGreaterThanOrEqual(12 * HOUR);
    expect(at('AUTO_12H')).toBeLessThan(13 * HOUR);
    expect(at('AUTO_24H')).toBeGreaterThanOrEqual(24 * HOUR);
    expect(at('AUTO_24H')).toBeLessThan(25 * HOUR);
  });

  it('has no outage: no tick answers 503 STORAGE_UNAVAILABLE or 500, and the installation time was recorded', () => {
    expect(story.ticks.filter((t) => t.statusCode === 503 || t.statusCode === 500)).toEqual([]);
    // Evidence is "not yet there" only while a lagging read cannot see the installed event's write.
    const lag = variant.overrides.kvs?.readLagMs?.batchGet ?? 0;
    const unseen = story.ticks.filter((t) => t.reason === 'INSTALLATION_TIMESTAMP_UNAVAILABLE');
    expect(unseen.filter((t) => t.ageMs > lag)).toEqual([]);
    expect(story.evidence).toMatchObject({ source: 'avi:forge:installed:app' });
  });

  it('idles at its pinned KVS cost, writing nothing', () => {
    const before = idleCost(story.ticks, 0, 12 * HOUR);
    const after = idleCost(story.ticks, 25 * HOUR, STORY_END);
    expect([before, after]).toEqual(IDLE_COST[variant.name]);
    const idle = story.ticks.filter(
      (t) => t.reason === 'NO_TRIGGER_DUE' && (t.ageMs < 12 * HOUR || t.ageMs >= 25 * HOUR),
    );
    expect(idle.length).toBeGreaterThan(100);
    expect(idle.filter((t) => t.kvsWrites > 0)).toEqual([]);
  });

  it('reports what the app may count, and how Forge records each answer', () => {
    const report = story.stored.get(`phase5:report:${story.cloudId}:AUTO_12H`) as Phase5Report;
    const jira = variant.overrides.jira ?? {};
    expect(report.site.projects.total).toBe(jira.appBrowsableProjects === 5 ? 5 : 12);
    if (jira.approximateCountOpenEnded === 'refuses') {
      expect(report.site.issues.total).toBeNull();
      expect(report.site.issues.created_since_install).toEqual(expect.any(Number));
      expect(report.coverage.find((c) => c.dataset === 'issues')).toMatchObject({ status: 'partial' });
    } else {
      expect(report.site.issues.total).toEqual(expect.any(Number));
    }
    const idle200 = story.ticks.find((t) => t.reason === 'NO_TRIGGER_DUE');
    const only204 = variant.overrides.runtime?.scheduledTriggerSuccess === 'only204';
    expect(idle200?.recordedAs).toBe(only204 ? 'error' : 'success');
  });
});
