import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DevServer, startDevServer } from '../../local/dev/dev_server';
import { APP_ROOT } from '../../local/runtime/invoker';
import { CliRun, runCli, scratchFolder } from './run_cli';

/**
 * One local world: `npm start -- --kvs-file F` keeps the installation in F, a
 * second run continues it instead of making up a new one, and `npm run dev --
 * --kvs-file F` serves the admin page over that same installation, whose clock
 * a later `npm start` continues from. Without a file, each run's report folder
 * holds only what that run's installation stores.
 */

jest.setTimeout(240_000);

const summaryValue = (run: CliRun, label: string) =>
  run.stdout.match(new RegExp(`^${label}:\\s+(.*)$`, 'm'))?.[1] ?? `(no "${label}" line in)\n${run.stdout}`;

describe('npm start and npm run dev over one --kvs-file', () => {
  const dir = scratchFolder('world');
  const file = path.join(dir, 'world.db');
  const out = path.join(dir, 'reports');
  let first: CliRun;
  let second: CliRun;
  let cloudId: string;

  beforeAll(async () => {
    first = await runCli('start', ['--kvs-file', file, '--hours', '13', '--out', out]);
    second = await runCli('start', ['--kvs-file', file, '--hours', '1', '--out', out]);
    cloudId = summaryValue(first, 'cloudId');
  });

  it('the first run installs and generates the 12-hour report on its first attempt', () => {
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/\+00h00m {2}\[Phase4Evidence\] Installation recorded/);
    expect(first.stdout).toMatch(/\+12h0\dm {2}\[Phase5Scheduler\] Attempting AUTO_12H generation .*\(attempt #1\)/);
    expect(summaryValue(first, 'AUTO_12H')).toMatch(/^generated .*, committed 1x -> /);
    expect(summaryValue(first, 'this run')).toBe('+00h00m .. +13h00m after install');
  });

  it('the second run continues that installation: same cloudId, its clock, no second install or AUTO_12H', () => {
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`Continuing installation ${cloudId} from ${file}, now +13h00m after install`);
    expect(summaryValue(second, 'cloudId')).toBe(cloudId);
    expect(summaryValue(second, 'this run')).toBe('+13h00m .. +14h00m after install');
    expect(second.stdout).not.toMatch(/Installation recorded|Attempting AUTO_12H/);
    expect(summaryValue(second, 'AUTO_12H')).toMatch(
      /^generated .*\(12\.\d\d h after install\), in an earlier run -> /,
    );
    expect(summaryValue(second, 'installed at')).toBe(summaryValue(first, 'installed at'));
    expect(readdirSync(out)).toEqual([cloudId]);
    expect(readdirSync(path.join(out, cloudId)).sort()).toEqual(['AUTO_12H.csv', 'AUTO_12H.json']);
  });

  it('refuses to continue it on another site or seed', async () => {
    const run = await runCli('start', ['--kvs-file', file, '--seed', '5', '--out', out]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toMatch(/^npm start: --seed "5" differs from the installation in .*world\.db \(seed 1\)/);
    expect(run.stdout).toBe('');
  });

  describe('npm run dev -- --kvs-file over the same file', () => {
    let dev: DevServer;
    const post = async (p: string, body: unknown) =>
      (await fetch(`${dev.url}${p}`, { method: 'POST', body: JSON.stringify(body) })).json() as Promise<
        Record<string, unknown>
      >;

    beforeAll(async () => {
      dev = await startDevServer({ kvsFile: file });
    });
    afterAll(async () => {
      await dev?.close();
    });

    it('shows that installation at the time the last run stopped', async () => {
      const state = (await (await fetch(`${dev.url}/__dev/state`)).json()) as Record<string, unknown>;
      expect(state).toMatchObject({ cloudId, kvsFile: file, scenario: null, hoursSinceInstall: 14 });
    });

    it("serves the admin page's view of it: installed by the event, AUTO_12H done with npm start's report", async () => {
      const answer = await post('/__dev/invoke', { functionKey: 'getAdminPage', payload: {}, as: 'admin' });
      const view = (answer.result as { view: Record<string, unknown> }).view as {
        cloudId: string;
        installation: { status: string; source: string };
        triggers: Array<{ trigger: string; status: string; generatedAt: string | null }>;
      };
      const onDisk = JSON.parse(readFileSync(path.join(out, cloudId, 'AUTO_12H.json'), 'utf8')) as {
        generated_at: string;
      };
      expect(view.cloudId).toBe(cloudId);
      expect(view.installation).toMatchObject({ status: 'recorded', source: 'event' });
      expect(view.triggers.find((t) => t.trigger === 'AUTO_12H')).toMatchObject({
        status: 'done',
        generatedAt: onDisk.generated_at,
      });
      expect(view.triggers.find((t) => t.trigger === 'AUTO_24H')?.status).not.toBe('done');
    });

    it('keeps npm start off the file while it serves it', async () => {
      const run = await runCli('start', ['--kvs-file', file, '--hours', '1', '--out', out]);
      expect(run.code).toBe(2);
      expect(run.stderr.trim()).toMatch(
        new RegExp(`--kvs-file ".*world\\.db": is in use by npm run dev \\(process ${process.pid}\\)`),
      );
    });

    it('advancing its clock runs the trigger on the installation and saves the clock for npm start', async () => {
      await post('/__dev/advance', { minutes: 11 * 60 });
      await dev.close();
      const after = await runCli('start', ['--kvs-file', file, '--hours', '0', '--out', out]);
      expect(after.code).toBe(0);
      expect(after.stdout).toContain(`Continuing installation ${cloudId} from ${file}, now +25h00m after install`);
      expect(summaryValue(after, 'AUTO_24H')).toMatch(/^generated .*\(24\.\d\d h after install\), in an earlier run/);
      expect(readdirSync(path.join(out, cloudId)).sort()).toEqual([
        'AUTO_12H.csv',
        'AUTO_12H.json',
        'AUTO_24H.csv',
        'AUTO_24H.json',
      ]);
    });
  });
});

describe('npm start without --kvs-file', () => {
  it("clears report files an earlier run left: a shorter run's folder shows only its own reports", async () => {
    const out = path.join(scratchFolder('stale'), 'reports');
    const long = await runCli('start', ['--hours', '13', '--out', out]);
    const cloudId = summaryValue(long, 'cloudId');
    expect(readdirSync(path.join(out, cloudId)).sort()).toEqual(['AUTO_12H.csv', 'AUTO_12H.json']);

    const short = await runCli('start', ['--hours', '1', '--out', out]);
    expect(short.code).toBe(0);
    expect(summaryValue(short, 'cloudId')).toBe(cloudId);
    expect(summaryValue(short, 'AUTO_12H')).toBe('not generated');
    // Its JSON and its CSV.
    expect(summaryValue(short, 'removed')).toMatch(/^2 report file\(s\) an earlier run left/);
    expect(readdirSync(path.join(out, cloudId))).toEqual([]);
  });

  it('says in plain words when the installation was never recorded, and why nothing could happen', async () => {
    const run = await runCli('start', ['--fault-rate', '0.95', '--hours', '1', '--out', scratchFolder('unrecorded')]);
    expect(run.code).toBe(0);
    expect(summaryValue(run, 'installed at')).toBe('NOT RECORDED');
    expect(run.stdout).toMatch(
      /The installed event was delivered 5 time\(s\), and KVS refused to store the install time/,
    );
    expect(run.stdout).toMatch(/without it no report can ever fall due/);
    expect(run.stdout).toMatch(/"Record installation time now" on the admin page/);
  });
});

describe('npm start | head', () => {
  it('ends quietly when the reader stops reading early', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join('local', 'cli', 'start.ts'), '--hours', '30', '--out', scratchFolder('pipe')],
      {
        cwd: APP_ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    // Like head: read the first line, then close the pipe.
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});

describe('--help', () => {
  it.each([
    ['start', ['--hours H', 'a number from 0 to 336; default 30', '--kvs-file FILE', 'default .local-data/reports']],
    ['dev', ['--port N', 'a whole number from 1 to 65535; default 8787', 'default done-12h', 'Ctrl-C stops it']],
  ] as const)('npm %s shows each option with what it accepts and its default', async (tool, expected) => {
    const run = await runCli(tool, ['--help']);
    expect(run.code).toBe(0);
    for (const text of expected) expect(run.stdout.replace(/\s+/g, ' ')).toContain(text);
  });
});
