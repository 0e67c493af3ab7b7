import { DevWorld } from '../../../local/dev/dev_world';
import type { Phase5Report } from '../../../src/phase5/report';

/**
 * `npm run dev`'s default scenario, its clock moved past 24 h with the page's
 * clock buttons: the 24-hour report shows the configuration changes the
 * emulated site's administrators made during the day.
 */

jest.setTimeout(120_000);

it('the 24-hour report of the done-12h scenario names the day’s configuration changes', async () => {
  const world = new DevWorld('done-12h');
  try {
    await world.prepare();
    await world.advance(12 * 60);
    const report = world.app.stored(world.installation).get(`phase5:report:${world.installation.cloudId}:AUTO_24H`) as
      Phase5Report | undefined;

    expect(report?.change_since_12h).toMatchObject({
      configuration: {
        projects: { added: [{ label: 'LAUNCH', name: 'Launch Readiness' }] },
        custom_fields: { added: [{ label: 'Release Risk' }], removed_count: 1 },
        issue_types: { added: [{ label: 'Release' }] },
        statuses: { added: [{ label: 'Awaiting Deploy' }] },
      },
    });
    expect(report!.activity!.projects[0]).toMatchObject({ key: 'LAUNCH' });
  } finally {
    world.dispose();
  }
});
