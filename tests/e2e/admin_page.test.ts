import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Browser, chromium, Frame, FrameLocator, Page } from 'playwright-core';
import { APP_ROOT } from '../../local/runtime/invoker';
import { DevServer, startDevServer } from '../../local/dev/dev_server';

/**
 * The admin page in a real browser: headless Chromium loads `npm run dev`'s
 * Jira-like frame, the built Custom UI runs with the real @forge/bridge, and
 * each invoke reaches the app's resolver in the local Forge runtime. The page
 * is served under a Content-Security-Policy as strict as Forge's default.
 *
 * Needs Debian's chromium at /usr/bin/chromium (`apt-get install -y chromium`);
 * Playwright's own browser download is not used.
 */

jest.setTimeout(120_000);

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = path.join(APP_ROOT, 'docs', 'admin-page.png');

let dev: DevServer;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install it with apt-get install -y chromium`);
  dev = await startDevServer({ scenario: 'done-12h' });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await dev?.close();
});

interface Opened {
  page: Page;
  app: FrameLocator;
  /** Console errors and uncaught exceptions, from the frame and the page around it. */
  problems: string[];
}

async function open(query: string): Promise<Opened> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`${dev.url}/?devbar=0&${query}`);
  return { page, app: page.frameLocator('#app-frame'), problems };
}

function appFrame(page: Page): Frame {
  const frame = page.frames().find((f) => f.url().includes('/app/'));
  if (!frame) throw new Error('the admin page frame did not load');
  return frame;
}

describe('the admin page in Chromium', () => {
  it('shows a Jira admin the triggers, generates a manual report, lists it, opens and downloads it', async () => {
    const { page, app, problems } = await open('as=admin');
    try {
      // Status at a glance: 13 h after installation, the 12 h report done on its second attempt.
      const t12 = app.getByTestId('trigger-AUTO_12H');
      await expect(textOf(t12.getByTestId('trigger-status'))).resolves.toBe('Done');
      await expect(textOf(t12.getByTestId('trigger-summary'))).resolves.toBe(
        'Done at 2 Nov 2026, 21:30 UTC on attempt #2.',
      );
      await expect(textOf(app.getByTestId('trigger-AUTO_24H').getByTestId('trigger-status'))).resolves.toBe('Waiting');
      await expect(textOf(app.getByTestId('installation'))).resolves.toContain('Installed event');

      // Generate a manual report, through the confirmation dialog.
      await app.getByTestId('generate-manual').click();
      await app.getByRole('dialog').waitFor();
      await app.getByTestId('confirm-action').click();
      await expect(textOf(app.getByTestId('notice'))).resolves.toContain('Manual report stored as phase5:report:');
      const manualRow = app.locator('[data-testid=report-row][data-kind=MANUAL]');
      await manualRow.waitFor();
      await expect(app.locator('[data-testid=report-row]').count()).resolves.toBe(2);
      await expect(textOf(app.getByTestId('audit-table'))).resolves.toContain('Generated a manual report');

      // It is really stored, by the resolver, under its own key.
      const stored = [...dev.world.app.stored(dev.world.installation).keys()].filter((k) => k.includes(':MANUAL:2026'));
      expect(stored).toHaveLength(1);

      // Open it, readably, and download it as JSON.
      await manualRow.getByTestId('view-report').click();
      const report = app.getByTestId('report-view');
      await report.waitFor();
      await expect(report.locator('[data-testid=coverage-table] tbody tr').count()).resolves.toBe(5);
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        report.getByTestId('download-report').click(),
      ]);
      const json = JSON.parse(readFileSync(await download.path(), 'utf8')) as {
        trigger: string;
        schema_version: number;
      };
      expect(download.suggestedFilename()).toMatch(/^site-report-MANUAL-20261102T220000\.000Z-1\.json$/);
      expect(json).toMatchObject({ trigger: 'MANUAL', schema_version: 2 });

      // The picture for the README: the 12 h report open under the status and the report list.
      await app.locator('[data-testid=report-row][data-kind=AUTO_12H]').getByTestId('view-report').click();
      await expect(textOf(app.getByTestId('report-view'))).resolves.toContain('AUTO_12H');
      await app.getByTestId('notice').getByRole('button', { name: 'Dismiss' }).click();
      await page.waitForFunction(() => (document.getElementById('app-frame') as HTMLIFrameElement).offsetHeight > 900);
      mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });

      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('runs the platform check from the page: a table of answers, downloadable, recorded in the audit log', async () => {
    const { page, app, problems } = await open('as=admin');
    try {
      await app.getByTestId('run-platform-check').click();
      await app.getByRole('dialog').waitFor();
      await app.getByTestId('confirm-action').click();
      const table = app.getByTestId('platform-check-table');
      await table.waitFor({ timeout: 30_000 });

      // Every question answered; on the local runtime's defaults each holds, but the one no app can ask.
      await expect(table.locator('tbody tr').count()).resolves.toBe(14);
      await expect(table.locator('tbody tr[data-verdict=DIFFERS]').count()).resolves.toBe(0);
      await expect(app.getByTestId('probe-batch-get-missing-key').getAttribute('data-verdict')).resolves.toBe('HOLDS');
      await expect(app.getByTestId('probe-ttl-expired-entry-gone').getAttribute('data-verdict')).resolves.toBe('HOLDS');
      await expect(app.getByTestId('probe-scheduled-trigger-status').getAttribute('data-verdict')).resolves.toBe(
        'COULD_NOT_CHECK',
      );
      await expect(textOf(app.getByTestId('platform-check-summary'))).resolves.toContain('13 hold, 0 differ');

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        app.getByTestId('download-platform-check').click(),
      ]);
      const json = JSON.parse(readFileSync(await download.path(), 'utf8')) as {
        results: Array<{ id: string; verdict: string }>;
        leftBehind: string[];
      };
      expect(download.suggestedFilename()).toMatch(/^platform-check-.+\.json$/);
      expect(json.results).toHaveLength(14);
      expect(json.leftBehind).toEqual([]);

      // Audited, and nothing of the check is left in storage.
      await expect(textOf(app.getByTestId('audit-table'))).resolves.toContain('Ran the platform check');
      const keys = [...dev.world.app.stored(dev.world.installation).keys()];
      expect(keys.filter((k) => k.startsWith('platform-check:'))).toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('refuses a user who is not a Jira administrator, showing no status', async () => {
    const { page, app, problems } = await open('as=user');
    try {
      const refusal = app.getByTestId('refusal');
      await refusal.waitFor();

      await expect(textOf(refusal)).resolves.toContain('You need to be a Jira administrator to use this page');
      await expect(textOf(refusal)).resolves.toContain(
        'Only Jira administrators can view or change the site report scheduler.',
      );
      await expect(app.getByTestId('triggers-table').count()).resolves.toBe(0);
      await expect(appFrame(page).evaluate(() => document.body.innerText)).resolves.not.toContain('AUTO_12H');
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });
});

/** The element's text as written (innerText would apply the lozenges' uppercase). */
async function textOf(locator: ReturnType<FrameLocator['locator']>): Promise<string> {
  await locator.waitFor();
  return ((await locator.textContent()) ?? '').trim();
}
