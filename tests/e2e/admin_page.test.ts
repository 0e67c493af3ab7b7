import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Browser, chromium, Frame, FrameLocator, Locator, Page } from 'playwright-core';
import { APP_ROOT } from '../../local/runtime/invoker';
import { DevServer, startDevServer } from '../../local/dev/dev_server';
import { DEV_ACCOUNTS, SCENARIOS, ScenarioName } from '../../local/dev/dev_world';
import { CONFIRMATIONS } from '../../src/admin/contract';
import { internalTermsIn } from '../support/internal_terms';

/**
 * The admin page in a real browser: headless Chromium loads `npm run dev`'s
 * Jira-like frame, the built Custom UI runs with the real @forge/bridge, and
 * each invoke reaches the app's resolver in the local Forge runtime. The page
 * is served under the Content-Security-Policy Forge would give it with this
 * manifest, in a frame sized to its content as Jira sizes it, with its
 * translations where `forge deploy` puts them. Confirmations open as Forge
 * modals and results come as flags, both drawn by the host outside the frame,
 * as Jira draws them.
 *
 * Every action is driven with the keyboard alone; axe checks every scenario in
 * Jira's light and dark themes at 800 px, and a confirmation while it is open.
 * Screenshots for the README are taken only with UPDATE_SCREENSHOTS=1, so a run
 * leaves the tree as it was.
 *
 * Needs Debian's chromium at /usr/bin/chromium (`apt-get install -y chromium`);
 * Playwright's own browser download is not used.
 */

jest.setTimeout(120_000);

const CHROMIUM = '/usr/bin/chromium';
const DOCS = path.join(APP_ROOT, 'docs');
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1';
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
  /** Console errors and uncaught exceptions, from every frame and the page around them. */
  problems: string[];
}

/**
 * `browserLocale`: the browser's own language, as a German admin's would be (Chromium still writes its date
 * inputs in the language it was started in).
 */
async function open(dev: DevServer, query: string, width = 1440, browserLocale = 'en-US'): Promise<Opened> {
  const page = await browser.newPage({ viewport: { width, height: 900 }, locale: browserLocale });
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
  await app.getByTestId('health').waitFor();
  const frame = page.frames().find((f) => f.url().includes('/app/') && !f.url().includes('modal='));
  if (!frame) throw new Error('the admin page frame did not load');
  return { page, app, frame, problems };
}

/** The element's text as the admin reads it, with runs of white space (Intl's narrow spaces included) as one space. */
async function textOf(locator: Locator): Promise<string> {
  await locator.first().waitFor();
  return (await locator.first().innerText()).replace(/\s+/g, ' ').trim();
}

/** What the admin reads in the frame (the collapsed diagnostics are not read), as one line. */
async function pageText(frame: Frame): Promise<string> {
  return (await frame.evaluate(() => document.body.innerText)).replace(/\s+/g, ' ');
}

async function focusedMatches(frame: Frame, selector: string): Promise<boolean> {
  return frame.evaluate((sel) => document.hasFocus() && (document.activeElement?.matches(sel) ?? false), selector);
}

/** Press Tab (or Shift+Tab) until the focused element matches `selector`; fails after `max` presses. */
async function tabTo(page: Page, frame: Frame, selector: string, { back = false, max = 80 } = {}): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    if (await focusedMatches(frame, selector)) return;
  }
  throw new Error(`Tab never reached ${selector}`);
}

interface Modal {
  frame: Frame;
  app: FrameLocator;
  /** Jira's dialog around the modal's frame, in the host page. */
  dialog: Locator;
}

/** The Forge modal the host drew, once the app inside it has rendered its confirmation. */
async function modalOf(page: Page): Promise<Modal> {
  const dialog = page.getByTestId('dev-modal');
  await dialog.waitFor();
  const app = page.frameLocator('[data-testid=dev-modal] iframe');
  await app.getByTestId('confirmation').waitFor();
  const frame = page.frames().find((f) => f.url().includes('modal='));
  if (!frame) throw new Error('the modal frame did not load');
  return { frame, app, dialog };
}

async function focusIsIn(frame: Frame): Promise<boolean> {
  return frame.evaluate(() => document.hasFocus() && document.activeElement !== document.body);
}

/**
 * Open a confirmation from the focused opener with Enter and check that the
 * modal holds the keyboard: focus inside it, Tab and Shift+Tab stay inside,
 * Escape closes it and focus returns to the opener. Then open it again.
 */
async function openConfirmationFrom(o: Opened, opener: string): Promise<Modal> {
  await o.page.keyboard.press('Enter');
  let modal = await modalOf(o.page);
  await modal.frame.waitForFunction(() => document.hasFocus() && document.activeElement?.tagName === 'BUTTON');
  for (const key of ['Tab', 'Tab', 'Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab']) {
    await o.page.keyboard.press(key);
    expect(await focusIsIn(modal.frame)).toBe(true);
  }
  await o.page.keyboard.press('Escape');
  await modal.dialog.waitFor({ state: 'detached' });
  await o.frame.waitForFunction((sel) => document.activeElement?.matches(sel) ?? false, opener);

  await o.page.keyboard.press('Enter');
  modal = await modalOf(o.page);
  await modal.frame.waitForFunction(() => document.hasFocus() && document.activeElement !== document.body);
  return modal;
}

/** Confirm the open modal with the keyboard (Cancel has focus first, Confirm is next). */
async function confirmWithKeyboard(o: Opened, modal: Modal): Promise<void> {
  await tabTo(o.page, modal.frame, '[data-testid=confirm-action]');
  await o.page.keyboard.press('Enter');
  await modal.dialog.waitFor({ state: 'detached' });
}

/** The flag the host shows with this title, once it shows it: its title, description and actions. */
async function flag(page: Page, title: string): Promise<string> {
  return textOf(page.getByTestId('dev-flag').filter({ hasText: title }).first().locator('.dev-flag__body'));
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

/** Jira's theme switch, as the host announces it to every themed frame. */
async function switchHostTheme(page: Page, mode: 'light' | 'dark'): Promise<void> {
  await page.evaluate((m) => {
    document.documentElement.setAttribute('data-color-mode', m);
    for (const f of Array.from(document.querySelectorAll('iframe'))) {
      f.contentWindow!.postMessage({ type: 'dev-host:theme', colorMode: m }, window.location.origin);
    }
  }, mode);
}

async function themed(frame: Frame, mode: 'light' | 'dark'): Promise<void> {
  await frame.waitForFunction((m) => document.documentElement.getAttribute('data-color-mode') === m, mode);
}

/** The whole page, or with `windowOnly`, what the window shows (a modal covers the window, not the page). */
async function screenshot(page: Page, name: string, { windowOnly = false } = {}): Promise<void> {
  if (!SCREENSHOTS) return;
  mkdirSync(DOCS, { recursive: true });
  await page.evaluate(() => window.scrollTo(0, 0));
  // A flag stays put in the window: across a whole-page picture it would cover the middle of the page.
  const flags = page.getByTestId('dev-flags');
  if (!windowOnly) await flags.evaluate((el) => (el.style.visibility = 'hidden'));
  await page.screenshot({ path: path.join(DOCS, name), fullPage: !windowOnly });
  if (!windowOnly) await flags.evaluate((el) => (el.style.visibility = ''));
}

/** What the top of the page says for each scenario, in English. */
const HEALTH: Record<ScenarioName, { level: string; kind: string; title: string }> = {
  'done-12h': { level: 'healthy', kind: 'healthy', title: 'Healthy' },
  failing: { level: 'action', kind: 'report_failing', title: 'Action needed' },
  'no-installation': { level: 'action', kind: 'installation_missing', title: 'Action needed' },
  'last-chance': { level: 'action', kind: 'report_last_chance', title: 'Action needed' },
  'outcome-unknown': { level: 'attention', kind: 'report_unaccounted', title: 'Needs attention' },
};

describe('every dev scenario at 800 px, in light and dark', () => {
  it.each(Object.keys(SCENARIOS) as ScenarioName[])(
    '%s: health first, plain words, nothing cut off, and axe finds nothing in either theme',
    async (scenario) => {
      const dev = await devServer(scenario);
      const o = await open(dev, 'as=admin&theme=light', 800);
      const { page, app, frame } = o;
      try {
        await themed(frame, 'light');
        const health = app.getByTestId('health');
        await expect(health.getAttribute('data-level')).resolves.toBe(HEALTH[scenario].level);
        await expect(health.getAttribute('data-kind')).resolves.toBe(HEALTH[scenario].kind);
        await expect(textOf(health)).resolves.toMatch(new RegExp(`^${HEALTH[scenario].title}`));
        // What the admin reads says nothing of the app's insides.
        expect(internalTermsIn(await pageText(frame))).toEqual([]);

        // The frame is as tall as the page, as in Jira: the window scrolls, the frame does not; nothing is wider.
        const overflow = await frame.evaluate(() => ({
          page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
          tables: Array.from(document.querySelectorAll('.table-frame')).map((t) => t.scrollWidth - t.clientWidth),
        }));
        expect(overflow.page).toBeLessThanOrEqual(0);
        expect(overflow.tables.every((d) => d <= 0)).toBe(true);

        await expect(axeViolations(frame)).resolves.toEqual([]);
        if (scenario === 'failing') await screenshot(page, 'admin-page-800.png');
        await switchHostTheme(page, 'dark');
        await themed(frame, 'dark');
        expect(await frame.evaluate(() => getComputedStyle(document.body).backgroundColor)).not.toBe(
          'rgb(255, 255, 255)',
        );
        await expect(axeViolations(frame)).resolves.toEqual([]);
        expect(o.problems).toEqual([]);
      } finally {
        await page.close();
      }
    },
  );
});

describe('the admin page in Chromium', () => {
  it('a Jira admin generates, opens, downloads and resets reports with the keyboard alone, confirming in Forge modals', async () => {
    const dev = await devServer('done-12h');
    const o = await open(dev, 'as=admin&theme=light&tz=America/New_York&locale=en-US');
    const { page, app, frame } = o;
    try {
      await themed(frame, 'light');
      // Healthy, and why: what comes next, in the viewer's zone.
      await expect(textOf(app.getByTestId('health'))).resolves.toBe(
        'Healthy Everything is on schedule: the 12-hour report is stored, and the 24-hour report is due ' +
          'Nov 3, 2026, 4:00 AM EST (in 11 hours).',
      );
      const t12 = app.getByTestId('trigger-AUTO_12H');
      await expect(textOf(t12.getByTestId('trigger-status'))).resolves.toBe('Done');
      // Done after an outage: the summary says so, rather than hiding it in an attempt number.
      await expect(textOf(t12.getByTestId('trigger-summary'))).resolves.toBe(
        'Made Nov 2, 2026, 4:30 PM EST, after one failed attempt.',
      );
      // The exact UTC instant is the element's datetime, and its tooltip on hover.
      const doneAt = t12.getByTestId('trigger-summary').locator('time');
      await expect(doneAt.getAttribute('datetime')).resolves.toBe('2026-11-02T21:30:00.000Z');
      await doneAt.hover();
      await expect(textOf(app.getByRole('tooltip'))).resolves.toBe('2026-11-02 21:30:00 UTC');
      await page.mouse.move(0, 0);
      await app.getByRole('tooltip').waitFor({ state: 'detached' });
      await expect(textOf(app.getByTestId('installation'))).resolves.toContain('The app itself');
      // A disabled action says why, on the page.
      await expect(app.getByTestId('retry-AUTO_12H').isDisabled()).resolves.toBe(true);
      await expect(textOf(app.getByTestId('retry-AUTO_12H-reason'))).resolves.toBe(
        'Not available: It is done; reset it to make it again.',
      );

      // Generate a manual report: Tab to the button; the modal holds the keyboard; Escape returns it.
      await tabTo(page, frame, '[data-testid=generate-manual]');
      const modal = await openConfirmationFrom(o, '[data-testid=generate-manual]');
      await expect(textOf(modal.app.locator('h1'))).resolves.toBe('Generate a manual report now?');
      // A confirmation open over the dimmed page: axe in its frame, light and then dark.
      await expect(axeViolations(modal.frame)).resolves.toEqual([]);
      await switchHostTheme(page, 'dark');
      await themed(modal.frame, 'dark');
      await expect(axeViolations(modal.frame)).resolves.toEqual([]);
      await switchHostTheme(page, 'light');
      await themed(modal.frame, 'light');
      await confirmWithKeyboard(o, modal);
      await expect(flag(page, 'Manual report generated')).resolves.toBe(
        'Manual report generated Manual report 1 is stored and listed under Stored reports. View report',
      );
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
      await expect(textOf(auditRow)).resolves.toContain('Manual report 1 stored.');
      await expect(textOf(auditRow.getByTestId('person'))).resolves.toBe('Avery Admin');
      expect(internalTermsIn(await pageText(frame))).toEqual([]);

      // It is really stored, by the resolver, under its own key.
      const stored = [...dev.world.app.stored(dev.world.installation).keys()].filter((k) => k.includes(':MANUAL:2026'));
      expect(stored).toHaveLength(1);

      // The flag's action opens it: the report's heading takes focus.
      await page.getByTestId('dev-flag').first().getByRole('button', { name: 'View report' }).click();
      const report = app.getByTestId('report-view');
      await report.waitFor();
      await frame.waitForFunction(() => document.activeElement?.id === 'report-view-heading');
      await expect(report.getByTestId('coverage-row').count()).resolves.toBe(6);

      // Download it as JSON, by keyboard (from the flag, Tab leads back into the page).
      await tabTo(page, frame, '[data-testid=download-report]');
      const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
      const json = JSON.parse(readFileSync(await download.path(), 'utf8')) as {
        trigger: string;
        schema_version: number;
      };
      // Named with the site (from the Forge context) and when the report was made, in the viewer's zone.
      expect(download.suggestedFilename()).toBe('local-dev.atlassian.net-manual-report-2026-11-02-1700.json');
      expect(json).toMatchObject({ trigger: 'MANUAL', schema_version: 3 });
      await tabTo(page, frame, '[data-testid=close-report]');
      await page.keyboard.press('Enter');
      await report.waitFor({ state: 'detached' });

      // Light theme with the 12-hour report open: axe, and the README's picture.
      await tabTo(page, frame, '[data-testid=report-row][data-kind=AUTO_12H] [data-testid=view-report]', {
        back: true,
      });
      await page.keyboard.press('Enter');
      await app.getByTestId('report-view').waitFor();
      await expect(axeViolations(frame)).resolves.toEqual([]);
      await screenshot(page, 'admin-page-light.png');
      await switchHostTheme(page, 'dark');
      await themed(frame, 'dark');
      await expect(axeViolations(frame)).resolves.toEqual([]);
      await screenshot(page, 'admin-page-dark.png');

      // Reset the 12-hour report (a destructive action): same modal rules, then its report is set aside.
      await tabTo(page, frame, '[data-testid=reset-AUTO_12H]', { back: true });
      const reset = await openConfirmationFrom(o, '[data-testid=reset-AUTO_12H]');
      await expect(textOf(reset.app.getByTestId('confirmation'))).resolves.toBe(
        'Reset the 12-hour report? Sets its report aside (it stays in the list, marked as replaced) and makes it ' +
          'again, from the first attempt. Cancel Reset',
      );
      await confirmWithKeyboard(o, reset);
      await expect(flag(page, 'The 12-hour report was reset')).resolves.toBe(
        'The 12-hour report was reset Its report stays in the list, marked as replaced; the app makes the 12-hour ' +
          'report again when it is due.',
      );
      await app.locator('[data-testid=report-row][data-kind=REPLACED]').waitFor();
      await expect(textOf(t12.getByTestId('trigger-status'))).resolves.not.toBe('Done');
      await expect(axeViolations(frame)).resolves.toEqual([]);

      // Refresh, by keyboard.
      await tabTo(page, frame, '[data-testid=refresh]', { back: true });
      await page.keyboard.press('Enter');
      await expect(textOf(t12.getByTestId('trigger-status'))).resolves.not.toBe('Done');
      expect(o.problems).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('in German: the health, the sections, dates and numbers in German, from the translations shipped with the app', async () => {
    const dev = await devServer('done-12h');
    const o = await open(dev, 'as=admin&theme=light&tz=Europe/Berlin&locale=de-DE');
    const { page, app, frame } = o;
    try {
      await expect(frame.evaluate(() => [document.documentElement.lang, document.title])).resolves.toEqual([
        'de-DE',
        'Site-Berichte',
      ]);
      await expect(textOf(app.getByTestId('health'))).resolves.toBe(
        'Alles in Ordnung Alles nach Plan: Der 12-Stunden-Bericht ist gespeichert, und der 24-Stunden-Bericht ist ' +
          'fällig am 03.11.2026, 10:00 MEZ (in 11 Stunden).',
      );
      await expect(textOf(app.getByTestId('trigger-AUTO_12H'))).resolves.toContain(
        '12-Stunden-Bericht Erledigt Erstellt am 02.11.2026, 22:30 MEZ, nach einem gescheiterten Versuch.',
      );
      await expect(textOf(app.locator('#installation-heading'))).resolves.toBe('Installation');
      await expect(textOf(app.locator('#audit-heading'))).resolves.toBe('Prüfprotokoll');
      await expect(textOf(app.locator('#diagnostics-heading'))).resolves.toBe('Diagnose');
      await screenshot(page, 'admin-page-de.png');
      // No English left, the stored reports' table included.
      const text = await pageText(frame);
      expect(text).not.toMatch(/\b(the|report|attempt|Healthy|Scheduled|Installed|Refresh|Not available|Stored)\b/);
      expect(internalTermsIn(text)).toEqual([]);
      await expect(axeViolations(frame)).resolves.toEqual([]);

      // The confirmation in German too, in its own frame.
      await app.getByTestId('reset-AUTO_12H').click();
      const modal = await modalOf(page);
      await expect(textOf(modal.app.locator('h1'))).resolves.toBe('Den 12-Stunden-Bericht zurücksetzen?');
      await expect(axeViolations(modal.frame)).resolves.toEqual([]);
      await page.keyboard.press('Escape');
      await modal.dialog.waitFor({ state: 'detached' });
      expect(o.problems).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('the failing scenario: the one thing to do, done from the top of the page, and its outcome in a flag', async () => {
    const dev = await devServer('failing');
    const o = await open(dev, 'as=admin&theme=light', 800);
    const { page, app, frame } = o;
    try {
      await expect(textOf(app.getByTestId('health'))).resolves.toBe(
        'Action needed The 24-hour report could not be made: Jira answered 503 Service Unavailable. It has failed ' +
          '3 times; the app tries again Nov 4, 2026, 11:30 AM UTC (in 23 hours). Check that Jira is available and ' +
          'that the app still has its permissions, then use “Try again now”. Try the 24-hour report again now',
      );
      // One message per situation: the missed 12-hour report is a warning with its cause and its remedy.
      const messages = app.getByTestId('message');
      await expect(messages.count()).resolves.toBe(1);
      await expect(textOf(messages)).resolves.toBe(
        'The 12-hour report was missed The 12-hour report was missed: it could not be made before its time ran ' +
          'out at Nov 3, 2026, 9:00 AM UTC. The last attempt failed: Jira answered 503 Service Unavailable. For a ' +
          'picture of the site as it is now, generate a manual report. Generate a manual report',
      );

      await tabTo(page, frame, '[data-testid=suggested-retry]');
      const modal = await openConfirmationFrom(o, '[data-testid=suggested-retry]');
      await expect(textOf(modal.app.getByTestId('confirmation'))).resolves.toBe(
        'Try the 24-hour report again now? The app tries it again within seconds, instead of waiting until ' +
          'Nov 4, 2026, 11:30 AM UTC. Cancel Try again now',
      );
      await confirmWithKeyboard(o, modal);
      await expect(flag(page, 'Trying the 24-hour report again')).resolves.toBe(
        'Trying the 24-hour report again The app is trying the 24-hour report now; this page shows the outcome in ' +
          'a moment.',
      );
      // It was tried at once; Jira is still down, so it failed again, and the page says so.
      await expect(textOf(app.getByTestId('trigger-AUTO_24H').getByTestId('trigger-summary'))).resolves.toBe(
        '4 attempts failed; the app tries again Nov 4, 2026, 12:00 PM UTC (tomorrow).',
      );
      await expect(textOf(app.getByTestId('audit-row').first())).resolves.toContain(
        'Tried again after 3 failed attempts.',
      );
      await expect(axeViolations(frame)).resolves.toEqual([]);
      expect(o.problems).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('records an installation time in the past, entered in the admin’s zone, saying first what it makes due', async () => {
    const dev = await devServer('no-installation');
    const o = await open(dev, 'as=admin&theme=dark&tz=Europe/Berlin&locale=de-DE', 1440, 'de-DE');
    const { page, app, frame } = o;
    try {
      await expect(textOf(app.getByTestId('installation'))).resolves.toContain('Nicht erfasst');
      // A manual report needs no installation time.
      await expect(app.getByTestId('generate-manual').isDisabled()).resolves.toBe(false);

      await tabTo(page, frame, '[data-testid=suggested-recordInstallation]');
      await page.keyboard.press('Enter');
      const modal = await modalOf(page);
      const input = modal.app.getByTestId('installation-time');
      // Offered as now, in Berlin (the resolver's clock: 09:30 UTC).
      await expect(input.inputValue()).resolves.toBe('2026-11-02T10:30');
      await expect(textOf(modal.app.getByTestId('installation-outcome'))).resolves.toBe(
        'Der 12-Stunden-Bericht wird fällig am 02.11.2026, 22:30 MEZ (in 12 Stunden) und der 24-Stunden-Bericht ' +
          'am 03.11.2026, 10:30 MEZ.',
      );
      await input.fill('2026-11-02T12:00');
      await expect(textOf(modal.app.getByTestId('installation-outcome'))).resolves.toBe(
        'Dieser Zeitpunkt liegt in der Zukunft.',
      );
      await expect(modal.app.getByTestId('confirm-action').isDisabled()).resolves.toBe(true);
      await input.fill('2026-11-01T20:00');
      await expect(textOf(modal.app.getByTestId('installation-outcome'))).resolves.toBe(
        'Der 12-Stunden-Bericht wird sofort fällig, und seine Zeit läuft am 02.11.2026, 20:00 MEZ (in 9 Stunden) ab; ' +
          'der 24-Stunden-Bericht ist fällig am 02.11.2026, 20:00 MEZ.',
      );
      await expect(axeViolations(modal.frame)).resolves.toEqual([]);
      await screenshot(page, 'admin-page-record-installation.png', { windowOnly: true });
      await confirmWithKeyboard(o, modal);

      await expect(flag(page, 'Installationszeitpunkt erfasst')).resolves.toMatch(
        /^Installationszeitpunkt erfasst Installiert am 01\.11\.2026, 20:00 MEZ\. Der 12-Stunden-Bericht wird sofort fällig/,
      );
      await expect(textOf(app.getByTestId('installation'))).resolves.toMatch(/01\.11\.2026, 20:00 MEZ/);
      await expect(app.getByTestId('record-installation').count()).resolves.toBe(0);
      await expect(textOf(app.getByTestId('audit-row').first())).resolves.toContain(
        'Installationszeitpunkt erfasst: 01.11.2026, 20:00 MEZ.',
      );
      // Recorded as entered, attributed, with when it was recorded.
      const evidence = dev.world.app
        .stored(dev.world.installation)
        .get(`phase4:evidence:installation:${dev.world.installation.cloudId}`);
      expect(evidence).toMatchObject({
        installation_timestamp: '2026-11-01T19:00:00.000Z',
        recorded_at: '2026-11-02T09:30:00.000Z',
        recorded_by: DEV_ACCOUNTS.admin,
        source: 'admin',
      });
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
        /^Not available: A manual report is being made \(started /,
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

  it('diagnostics for support: collapsed, the platform check run by keyboard, summed up, downloadable, audited', async () => {
    const dev = await devServer('done-12h');
    const o = await open(dev, 'as=admin&theme=dark');
    const { page, app, frame } = o;
    try {
      const toggle = app.locator('#diagnostics-toggle');
      await expect(toggle.getAttribute('aria-expanded')).resolves.toBe('false');
      await expect(app.getByTestId('run-platform-check').isVisible()).resolves.toBe(false);
      await tabTo(page, frame, '#diagnostics-toggle');
      await page.keyboard.press('Enter');
      await expect(toggle.getAttribute('aria-expanded')).resolves.toBe('true');
      await expect(textOf(app.getByTestId('platform-check-summary'))).resolves.toBe(
        'The platform check has not been run on this page yet.',
      );

      await tabTo(page, frame, '[data-testid=run-platform-check]');
      const modal = await openConfirmationFrom(o, '[data-testid=run-platform-check]');
      await confirmWithKeyboard(o, modal);
      const table = app.getByTestId('platform-check-table');
      await table.waitFor({ timeout: 30_000 });

      // Every question answered; on the local runtime's defaults each holds, but the one no app can ask.
      const probes = await table.locator('tbody tr').count();
      expect(probes).toBeGreaterThanOrEqual(14);
      await expect(table.locator('tbody tr[data-verdict=DIFFERS]').count()).resolves.toBe(0);
      await expect(app.getByTestId('probe-scheduled-trigger-status').getAttribute('data-verdict')).resolves.toBe(
        'COULD_NOT_CHECK',
      );
      await expect(textOf(app.getByTestId('platform-check-summary'))).resolves.toMatch(
        new RegExp(
          `^Checked .+: ${probes - 1} of ${probes} answers as the app expects; 0 differ, 1 could not be checked\\.$`,
        ),
      );

      await tabTo(page, frame, '[data-testid=download-diagnostics]');
      const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
      const json = JSON.parse(readFileSync(await download.path(), 'utf8')) as {
        cloudId: string;
        platformCheck: { results: unknown[]; leftBehind: string[] };
        status: { health: { level: string } };
      };
      expect(download.suggestedFilename()).toMatch(/^site-reports-diagnostics-.+\.json$/);
      expect(json).toMatchObject({ cloudId: dev.world.installation.cloudId, status: { health: { level: 'healthy' } } });
      expect(json.platformCheck.results).toHaveLength(probes);
      expect(json.platformCheck.leftBehind).toEqual([]);

      // Audited in plain words, and nothing of the check is left in storage.
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
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    try {
      await page.goto(`${dev.url}/?devbar=0&as=user`);
      const app = page.frameLocator('#app-frame');
      const refusal = app.getByTestId('refusal');
      await expect(textOf(refusal)).resolves.toContain('You need to be a Jira administrator to use this page');
      await expect(textOf(refusal)).resolves.toContain('Only Jira administrators can use this page.');
      await expect(app.getByTestId('triggers').count()).resolves.toBe(0);
      const frame = page.frames().find((f) => f.url().includes('/app/'))!;
      await expect(frame.evaluate(() => document.body.innerText)).resolves.not.toContain('12-hour');
      await expect(axeViolations(frame)).resolves.toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
