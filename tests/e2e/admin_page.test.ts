import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Browser, chromium, Frame, FrameLocator, Locator, Page } from 'playwright-core';
import { APP_ROOT } from '../../local/runtime/invoker';
import { DevServer, startDevServer } from '../../local/dev/dev_server';
import { DEV_ACCOUNTS, ScenarioName } from '../../local/dev/dev_world';
import { CONFIRMATIONS } from '../../src/admin/contract';

/**
 * The admin page in a real browser: headless Chromium loads `npm run dev`'s
 * Jira-like frame, the built Custom UI runs with the real @forge/bridge, and
 * each invoke reaches the app's resolver in the local Forge runtime. The page
 * is served under the Content-Security-Policy Forge would give it with this
 * manifest, in a frame sized to its content as Jira sizes it, so the window
 * scrolls and the frame never does.
 *
 * Every action is driven with the keyboard alone (Tab, Shift+Tab, Enter,
 * Escape); axe checks the page in Jira's light and dark themes.
 *
 * Needs Debian's chromium at /usr/bin/chromium (`apt-get install -y chromium`);
 * Playwright's own browser download is not used.
 */

jest.setTimeout(180_000);

const CHROMIUM = '/usr/bin/chromium';
const DOCS = path.join(APP_ROOT, 'docs');
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

let browser: Browser;
/** One at a time: each local Forge runtime installs itself as the process's Forge platform. */
let server: DevServer | null = null;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install it with apt-get install -y chromium`);
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
  await server?.close();
});

async function devServer(scenario: ScenarioName): Promise<DevServer> {
  await server?.close();
  server = await startDevServer({ scenario });
  return server;
}

/** A small stand-in for the avatar images Jira's user API points at: tests never reach the network. */
const AVATAR_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="48" height="48"><circle cx="24" cy="24" r="24" fill="#8f7ee7"/></svg>';

interface Opened {
  page: Page;
  app: FrameLocator;
  frame: Frame;
  /** Console errors and uncaught exceptions, from the frame and the page around it. */
  problems: string[];
}

async function open(dev: DevServer, query: string, width = 1440): Promise<Opened> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.route(/^https:\/\/(secure\.gravatar\.com|[^/]+\.prod\.public\.atl-paas\.net)\//, (route) =>
    route.fulfill({ status: 200, contentType: 'image/svg+xml', body: AVATAR_SVG }),
  );
  await page.goto(`${dev.url}/?devbar=0&${query}`);
  const app = page.frameLocator('#app-frame');
  await app.locator('main').first().waitFor();
  const frame = page.frames().find((f) => f.url().includes('/app/'));
  if (!frame) throw new Error('the admin page frame did not load');
  return { page, app, frame, problems };
}

/** The element's text as written, with runs of white space (Intl's narrow spaces included) as one space. */
async function textOf(locator: Locator): Promise<string> {
  await locator.first().waitFor();
  return ((await locator.first().textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

async function focusedMatches(frame: Frame, selector: string): Promise<boolean> {
  return frame.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector);
}

/** Press Tab (or Shift+Tab) until the focused element matches `selector`; fails after `max` presses. */
async function tabTo(page: Page, frame: Frame, selector: string, { back = false, max = 80 } = {}): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    if (await focusedMatches(frame, selector)) return;
  }
  throw new Error(`Tab never reached ${selector}`);
}

async function focusIsInDialog(frame: Frame): Promise<boolean> {
  return frame.evaluate(() => document.activeElement?.closest('[role=dialog]') !== null);
}

/**
 * The element lies wholly inside the window the admin sees (the frame is as tall as the page). The host
 * resizes the frame after the page grows, as Jira does, so this allows that a moment (at most 2 s).
 */
async function inViewport(page: Page, locator: Locator): Promise<boolean> {
  const viewport = page.viewportSize()!;
  for (let tries = 0; tries < 20; tries++) {
    const box = await locator.boundingBox();
    if (box !== null && box.y >= 0 && box.y + box.height <= viewport.height) return true;
    await page.waitForTimeout(100);
  }
  return false;
}

/**
 * Open a confirmation from the focused opener with Enter and check that it is a
 * modal dialog for the keyboard: visible, focus inside, Tab and Shift+Tab stay
 * inside, Escape closes it and focus returns to the opener. Then open it again.
 */
async function openConfirmationFrom(o: Opened, opener: string): Promise<Locator> {
  const dialog = o.app.getByRole('dialog');
  await o.page.keyboard.press('Enter');
  await dialog.waitFor();
  expect(await inViewport(o.page, dialog)).toBe(true);
  expect(await focusIsInDialog(o.frame)).toBe(true);
  for (let i = 0; i < 4; i++) {
    await o.page.keyboard.press('Tab');
    expect(await focusIsInDialog(o.frame)).toBe(true);
  }
  for (let i = 0; i < 4; i++) {
    await o.page.keyboard.press('Shift+Tab');
    expect(await focusIsInDialog(o.frame)).toBe(true);
  }
  await o.page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  await o.frame.waitForFunction((sel) => document.activeElement?.matches(sel) ?? false, opener);

  await o.page.keyboard.press('Enter');
  await dialog.waitFor();
  return dialog;
}

/** Confirm the open dialog with the keyboard (Cancel has focus first, Confirm is next). */
async function confirmWithKeyboard(o: Opened): Promise<void> {
  await tabTo(o.page, o.frame, '[data-testid=confirm-action]');
  await o.page.keyboard.press('Enter');
  await o.app.getByRole('dialog').waitFor({ state: 'detached' });
}

interface AxeViolation {
  id: string;
  impact: string;
  nodes: Array<{ target: string[]; failureSummary: string }>;
}

async function axeViolations(frame: Frame): Promise<string[]> {
  // Injected the way a developer's extension would: through the debugger, not a <script> the page's CSP would refuse.
  await frame.evaluate(AXE_SOURCE);
  const { violations, passes } = await frame.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run(ctx: Document): Promise<{ violations: unknown[]; passes: unknown[] }> } }
    ).axe;
    const results = await axe.run(document);
    return { violations: results.violations as AxeViolation[], passes: results.passes.length };
  });
  // Rules that passed: axe really looked at the page (colour contrast, names, landmarks…).
  expect(passes).toBeGreaterThan(10);
  return violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

async function colourMode(frame: Frame): Promise<string | null> {
  return frame.evaluate(() => document.documentElement.getAttribute('data-color-mode'));
}

/** Jira's theme switch, as the host announces it to a themed frame. */
async function switchHostTheme(page: Page, mode: 'light' | 'dark'): Promise<void> {
  await page.evaluate((m) => {
    document.documentElement.setAttribute('data-color-mode', m);
    const frame = document.getElementById('app-frame') as HTMLIFrameElement;
    frame.contentWindow!.postMessage({ type: 'dev-host:theme', colorMode: m }, window.location.origin);
  }, mode);
}

async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(DOCS, { recursive: true });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(DOCS, name), fullPage: true });
}

describe('the admin page in Chromium', () => {
  it('a Jira admin generates, opens, downloads and resets reports with the keyboard alone; axe finds nothing in light or dark', async () => {
    const dev = await devServer('done-12h');
    const o = await open(dev, 'as=admin&theme=light&tz=America/New_York&locale=en-US');
    const { page, app, frame } = o;
    try {
      // Themed by Jira's colour mode through the bridge, and in the viewer's zone and locale.
      await frame.waitForFunction(() => document.documentElement.getAttribute('data-color-mode') === 'light');
      const t12 = app.getByTestId('trigger-AUTO_12H');
      await expect(textOf(t12.getByTestId('trigger-status'))).resolves.toBe('Done');
      await expect(textOf(t12.getByTestId('trigger-summary'))).resolves.toBe(
        'Done at Nov 2, 2026, 4:30 PM EST on attempt #2.',
      );
      // The exact UTC instant is the element's datetime, and its tooltip on hover.
      const doneAt = t12.getByTestId('trigger-summary').locator('time');
      await expect(doneAt.getAttribute('datetime')).resolves.toBe('2026-11-02T21:30:00.000Z');
      await doneAt.hover();
      await expect(textOf(app.getByRole('tooltip'))).resolves.toBe('2026-11-02 21:30:00 UTC');
      await page.mouse.move(0, 0);
      await app.getByRole('tooltip').waitFor({ state: 'detached' });
      await expect(textOf(app.getByTestId('trigger-AUTO_24H').getByTestId('trigger-status'))).resolves.toBe('Waiting');
      await expect(textOf(app.getByTestId('installation'))).resolves.toContain('Recorded by the app');
      // A disabled action says why, on the page.
      await expect(app.getByTestId('retry-AUTO_12H').isDisabled()).resolves.toBe(true);
      await expect(textOf(app.getByTestId('retry-AUTO_12H-reason'))).resolves.toBe(
        'Unavailable: It is done; reset it to generate it again.',
      );

      // Generate a manual report: Tab to the button, the dialog traps focus, Escape returns it.
      await tabTo(page, frame, '[data-testid=generate-manual]');
      await openConfirmationFrom(o, '[data-testid=generate-manual]');
      await confirmWithKeyboard(o);
      await expect(textOf(app.getByTestId('notice'))).resolves.toContain('Manual report generated');
      await frame.waitForFunction(() => document.activeElement?.matches('[data-testid=generate-manual]') ?? false);
      const manualRow = app.locator('[data-testid=report-row][data-kind=MANUAL]');
      await manualRow.waitFor();
      await expect(app.locator('[data-testid=report-row]').count()).resolves.toBe(2);
      // People by name, the account id kept beside the name for anyone who needs it.
      const requester = manualRow.getByTestId('person');
      await expect(textOf(requester)).resolves.toBe('Avery Admin');
      await expect(requester.getAttribute('data-account-id')).resolves.toBe(DEV_ACCOUNTS.admin);
      const auditRow = app.getByTestId('audit-row').first();
      await expect(textOf(auditRow)).resolves.toContain('Generated a manual report');
      await expect(textOf(auditRow.getByTestId('person'))).resolves.toBe('Avery Admin');
      const pageText = await frame.evaluate(() => document.body.innerText);
      expect(pageText).not.toMatch(/phase5:|DONE key|Phase 5|AUTO_12H|AUTO_24H/);

      // It is really stored, by the resolver, under its own key.
      const stored = [...dev.world.app.stored(dev.world.installation).keys()].filter((k) => k.includes(':MANUAL:2026'));
      expect(stored).toHaveLength(1);

      // Open it with the keyboard: focus and scroll move to the report.
      await tabTo(page, frame, '[data-testid=report-row][data-kind=MANUAL] [data-testid=view-report]');
      await page.keyboard.press('Enter');
      const report = app.getByTestId('report-view');
      await report.waitFor();
      await frame.waitForFunction(() => document.activeElement?.id === 'report-view-heading');
      expect(await inViewport(page, app.locator('#report-view-heading'))).toBe(true);
      await expect(report.getByTestId('coverage-row').count()).resolves.toBe(6);

      // Download it as JSON, still by keyboard.
      await tabTo(page, frame, '[data-testid=download-report]');
      const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
      const json = JSON.parse(readFileSync(await download.path(), 'utf8')) as {
        trigger: string;
        schema_version: number;
      };
      // Named with the site (from the Forge context) and when the report was made, in the viewer's zone.
      expect(download.suggestedFilename()).toBe('local-dev.atlassian.net-manual-report-2026-11-02-2200.json');
      expect(json).toMatchObject({ trigger: 'MANUAL', schema_version: 3 });
      await tabTo(page, frame, '[data-testid=close-report]');
      await page.keyboard.press('Enter');
      await report.waitFor({ state: 'detached' });

      // Light theme: no axe violations, and the picture for the README with the 12-hour report open.
      await expect(axeViolations(frame)).resolves.toEqual([]);
      await tabTo(page, frame, '[data-testid=report-row][data-kind=AUTO_12H] [data-testid=view-report]', {
        back: true,
      });
      await page.keyboard.press('Enter');
      await app.getByTestId('report-view').waitFor();
      await expect(axeViolations(frame)).resolves.toEqual([]);
      await screenshot(page, 'admin-page-light.png');

      // Jira switches to dark: the page follows without reloading; axe again.
      await switchHostTheme(page, 'dark');
      await frame.waitForFunction(() => document.documentElement.getAttribute('data-color-mode') === 'dark');
      const background = await frame.evaluate(() => getComputedStyle(document.body).backgroundColor);
      expect(background).not.toBe('rgb(255, 255, 255)');
      await expect(axeViolations(frame)).resolves.toEqual([]);
      await screenshot(page, 'admin-page-dark.png');

      // Reset the 12-hour report (a destructive action): same dialog rules, then its report is set aside.
      await tabTo(page, frame, '[data-testid=reset-AUTO_12H]', { back: true });
      const dialog = await openConfirmationFrom(o, '[data-testid=reset-AUTO_12H]');
      await expect(textOf(dialog)).resolves.toContain('Reset the 12-hour report?');
      await confirmWithKeyboard(o);
      await expect(textOf(app.getByTestId('notice'))).resolves.toContain('The 12-hour report was reset');
      await app.locator('[data-testid=report-row][data-kind=REPLACED]').waitFor();
      await expect(textOf(t12.getByTestId('trigger-status'))).resolves.not.toBe('Done');
      await expect(axeViolations(frame)).resolves.toEqual([]);

      // Dismiss the notice and refresh, by keyboard.
      await tabTo(page, frame, '[data-testid=notice] button', { back: true });
      await page.keyboard.press('Enter');
      await app.getByTestId('notice').waitFor({ state: 'detached' });
      await tabTo(page, frame, '[data-testid=refresh]', { back: true });
      await page.keyboard.press('Enter');
      await expect(textOf(t12.getByTestId('trigger-status'))).resolves.not.toBe('Done');

      expect(o.problems).toEqual([]);
      expect(await colourMode(frame)).toBe('dark');
    } finally {
      await page.close();
    }
  });

  it('at 800 px, scrolled down, a retry confirmation opens in view; nothing is cut off', async () => {
    const dev = await devServer('failing');
    const o = await open(dev, 'as=admin&theme=light', 800);
    const { page, app, frame } = o;
    try {
      const t24 = app.getByTestId('trigger-AUTO_24H');
      await expect(textOf(t24.getByTestId('trigger-status'))).resolves.toBe('Waiting to retry');
      await expect(frame.evaluate(() => document.body.innerText)).resolves.not.toMatch(
        /phase5:|DONE key|Phase 5|AUTO_12H|AUTO_24H/,
      );
      // The frame is as tall as the page, as in Jira: the window scrolls, the frame does not.
      const heights = await page.evaluate(() => ({
        frame: document.getElementById('app-frame')!.offsetHeight,
        window: window.innerHeight,
      }));
      expect(heights.frame).toBeGreaterThan(heights.window);
      await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));

      // Nothing wider than the frame, and every table within its own column.
      const overflow = await frame.evaluate(() => ({
        page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
        tables: Array.from(document.querySelectorAll('.table-frame')).map((t) => t.scrollWidth - t.clientWidth),
      }));
      expect(overflow.page).toBeLessThanOrEqual(0);
      expect(overflow.tables.every((d) => d <= 0)).toBe(true);

      await tabTo(page, frame, '[data-testid=retry-AUTO_24H]');
      // Scroll so the button sits on the window's bottom edge: what opens below it starts out of view.
      const opener = (await app.getByTestId('retry-AUTO_24H').boundingBox())!;
      await page.evaluate((dy) => window.scrollBy(0, dy), opener.y + opener.height - 900 + 2);
      const dialog = await openConfirmationFrom(o, '[data-testid=retry-AUTO_24H]');
      expect(await inViewport(page, dialog)).toBe(true);
      await expect(axeViolations(frame)).resolves.toEqual([]);
      await confirmWithKeyboard(o);
      await expect(textOf(app.getByTestId('notice'))).resolves.toContain('The 24-hour report will be retried');
      await expect(textOf(t24.getByTestId('trigger-status'))).resolves.toBe('Due');
      await expect(axeViolations(frame)).resolves.toEqual([]);
      await screenshot(page, 'admin-page-800.png');
      expect(o.problems).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('records the installation time with the keyboard when the app could not', async () => {
    const dev = await devServer('no-installation');
    const o = await open(dev, 'as=admin&theme=dark&tz=Europe/Berlin&locale=de-DE');
    const { page, app, frame } = o;
    try {
      await expect(textOf(app.getByTestId('installation'))).resolves.toContain('Not recorded');
      await expect(textOf(app.getByTestId('generate-manual-reason'))).resolves.toBe(
        'Unavailable: Record the installation time first.',
      );
      await tabTo(page, frame, '[data-testid=record-installation]');
      await openConfirmationFrom(o, '[data-testid=record-installation]');
      await confirmWithKeyboard(o);
      await expect(textOf(app.getByTestId('notice'))).resolves.toContain('Installation time recorded');
      // In the viewer's zone and language: 09:30 UTC is 10:30 in Berlin, written the German way.
      await expect(textOf(app.getByTestId('installation'))).resolves.toMatch(/02\.11\.2026, 10:30 MEZ/);
      await expect(axeViolations(frame)).resolves.toEqual([]);
      expect(o.problems).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('follows a generation that is running until it ends, without being asked', async () => {
    const dev = await devServer('done-12h');
    let release = () => {};
    dev.world.jiraHold = new Promise<void>((resolve) => (release = resolve));
    // Another admin's manual report, caught while it reads Jira.
    const other = dev.world.app.invoker.resolver(
      dev.world.installation,
      dev.world.moduleKey,
      'generateManualReport',
      { confirmation: CONFIRMATIONS.generateManualReport() },
      DEV_ACCOUNTS.admin,
    );
    const o = await open(dev, 'as=admin');
    const { page, app } = o;
    try {
      await expect(textOf(app.getByTestId('auto-refresh'))).resolves.toContain('this page updates itself');
      await expect(app.getByTestId('generate-manual').isDisabled()).resolves.toBe(true);
      await expect(textOf(app.getByTestId('generate-manual-reason'))).resolves.toMatch(
        /^Unavailable: A manual report has been generating since /,
      );
      await expect(app.locator('[data-testid=report-row][data-kind=MANUAL]').count()).resolves.toBe(0);

      dev.world.jiraHold = null;
      release();
      await expect(other).resolves.toMatchObject({ result: { ok: true } });
      // No key pressed, nothing clicked: the page asks again by itself and shows the report.
      await app.locator('[data-testid=report-row][data-kind=MANUAL]').waitFor({ timeout: 15_000 });
      await app.getByTestId('auto-refresh').waitFor({ state: 'detached' });
      await expect(app.getByTestId('generate-manual').isDisabled()).resolves.toBe(false);
      expect(o.problems).toEqual([]);
    } finally {
      release();
      await page.close();
    }
  });

  it('runs the platform check with the keyboard: a table of answers, downloadable, recorded in the audit log', async () => {
    const dev = await devServer('done-12h');
    const o = await open(dev, 'as=admin&theme=dark');
    const { page, app, frame } = o;
    try {
      await tabTo(page, frame, '[data-testid=run-platform-check]');
      await openConfirmationFrom(o, '[data-testid=run-platform-check]');
      await confirmWithKeyboard(o);
      const table = app.getByTestId('platform-check-table');
      await table.waitFor({ timeout: 30_000 });

      // Every question answered; on the local runtime's defaults each holds, but the one no app can ask.
      await expect(table.locator('tbody tr').count()).resolves.toBe(15);
      await expect(table.locator('tbody tr[data-verdict=DIFFERS]').count()).resolves.toBe(0);
      await expect(app.getByTestId('probe-batch-get-missing-key').getAttribute('data-verdict')).resolves.toBe('HOLDS');
      await expect(app.getByTestId('probe-scheduled-trigger-status').getAttribute('data-verdict')).resolves.toBe(
        'COULD_NOT_CHECK',
      );
      await expect(textOf(app.getByTestId('platform-check-summary'))).resolves.toContain('14 hold, 0 differ');

      await tabTo(page, frame, '[data-testid=download-platform-check]');
      const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
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
      await expect(axeViolations(frame)).resolves.toEqual([]);
      expect(o.problems).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('refuses a user who is not a Jira administrator, showing no status', async () => {
    const dev = await devServer('done-12h');
    const { page, app, frame, problems } = await open(dev, 'as=user');
    try {
      const refusal = app.getByTestId('refusal');
      await expect(textOf(refusal)).resolves.toContain('You need to be a Jira administrator to use this page');
      await expect(textOf(refusal)).resolves.toContain(
        'Only Jira administrators can view or change the site report scheduler.',
      );
      await expect(app.getByTestId('triggers').count()).resolves.toBe(0);
      await expect(frame.evaluate(() => document.body.innerText)).resolves.not.toContain('12-hour');
      await expect(axeViolations(frame)).resolves.toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
