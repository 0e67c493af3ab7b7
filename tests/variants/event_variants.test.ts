import type { LogSink } from '../../local/runtime/forge_runtime';
import { SCHEDULER } from '../../src/scheduled/config';
import { HOUR, MINUTE, SchedulerWorld } from '../support/scheduler_world';

/**
 * The async-event behaviours Forge's docs leave open (docs/assumption_register.md,
 * A14 and A15), and the app under each answer. The one that touches the app: a
 * wake-up consumer that pushed the next hop and was then stopped at its timeout.
 * Forge redelivers the stopped event; whether the hop it pushed is delivered is
 * not documented. Either way each report is stored once, and at worst by the next tick.
 */

let w: SchedulerWorld;
afterEach(() => w.dispose());

/** Stop the first wake-up invocation right after it pushed its next hop (as if it timed out then). */
function killAfterFirstPush(): { sink: LogSink; killed: () => number } {
  let killed = 0;
  return {
    sink: (invocation, _level, line) => {
      if (killed === 0 && invocation.moduleKey === 'phase5-wake-up-consumer' && line.includes('Wake-up pushed')) {
        killed++;
        invocation.kill();
      }
    },
    killed: () => killed,
  };
}

function generatedAt(world: SchedulerWorld, key: string): number | null {
  const report = world.stored().get(key) as { generated_at?: string } | undefined;
  return report?.generated_at ? Date.parse(report.generated_at) : null;
}

describe.each([
  ['delivered', 0],
  ['dropped', SCHEDULER.intervalMs],
] as const)('a push from a consumer that then timed out is %s', (answer, worstLateness) => {
  it(`stores each report once, the 12 h one within ${worstLateness / MINUTE} min of its due instant`, async () => {
    const kill = killAfterFirstPush();
    w = new SchedulerWorld({ variants: { events: { pushFromFailedConsumer: answer } }, logSink: kill.sink });
    const installedAt = await w.installedHoursAgo(0);
    w.advance(11 * HOUR + 20 * MINUTE); // the tick 40 min before 12 h pushes a first hop; that hop pushes the next

    const seen = await w.live(installedAt + 25 * HOUR, SCHEDULER.intervalMs);

    expect(kill.killed()).toBe(1);
    expect(seen.filter((s) => s.reason === 'WAKE_UP_SUPERSEDED')).toHaveLength(1);
    expect(seen.filter((s) => s.reason === 'GENERATED')).toHaveLength(2);
    expect(w.reports().sort()).toEqual([w.keys.report12, w.keys.report24].sort());
    const late12 = generatedAt(w, w.keys.report12)! - (installedAt + 12 * HOUR);
    expect(late12).toBeGreaterThanOrEqual(0);
    expect(late12).toBeLessThanOrEqual(worstLateness);
    expect(w.app.events.stats.eventsDroppedWithPusher).toBe(answer === 'dropped' ? 1 : 0);
  });
});
