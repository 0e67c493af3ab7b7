import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DevServer, startDevServer } from '../../local/dev/dev_server';
import { APP_ROOT } from '../../local/runtime/invoker';
import { openSqlite } from '../../local/sqlite';
import { CliRun, commandOf, runCli, scratchFolder, Tool } from './run_cli';

/**
 * One local world: `npm start -- --kvs-file F` keeps the installation in F, with
 * its clock and the wake-up events still to come; every later run continues it
 * instead of making up a new one, and `npm run dev -- --kvs-file F` serves the
 * admin page over that same installation and delivers its wake-ups as its clock
 * advances, which a later `npm start` continues from. Without a file, each run's
 * report folder holds only what that run's installation stores.
 */

jest.setTimeout(240_000);

const summaryValue = (run: CliRun, label: string) =>
  run.stdout.match(new RegExp(`^${label}:\\s+(.*)$`, 'm'))?.[1] ?? `(no "${label}" line in)\n${run.stdout}`;

describe('npm start and npm run dev over one --kvs-file, through both reports', () => {
  const dir = scratchFolder('world');
  const file = path.join(dir, 'world.db');
  const out = path.join(dir, 'reports');
  // Each run stops between a wake-up's push and its delivery (the tick at +hh:19 pushes one for
  // +hh:34), so every hand-over below carries a waiting wake-up in the file.
  let first: CliRun;
  let third: CliRun;
  let fourth: CliRun;
  let cloudId: string;

  beforeAll(async () => {
    first = await runCli('start', ['--kvs-file', file, '--hours', '11.5', '--out', out]);
    cloudId = summaryValue(first, 'cloudId');
  });

  it('the first run installs and stops at +11h30m with a wake-up still to come, kept in the file', () => {
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/\+00h00m {2}\[Phase4Evidence\] Installation recorded/);
    expect(first.stdout).toMatch(/\+11h19m {2}\[Phase5Scheduler\] Wake-up pushed .* in 900s/);
    expect(summaryValue(first, 'this run')).toBe('+00h00m .. +11h30m after install');
    expect(summaryValue(first, 'wake-ups kept')).toBe('1 still to come (from +11h34m), kept for the next run');
    expect(summaryValue(first, 'AUTO_12H')).toBe('not generated');
  });

  describe('npm run dev -- --kvs-file over the same file', () => {
    let dev: DevServer;
    const post = async (p: string, body: unknown) =>
      (await fetch(`${dev.url}${p}`, { method: 'POST', body: JSON.stringify(body) })).json() as Promise<
        Record<string, unknown>
      >;
    const adminView = async () => {
      const answer = await post('/__dev/invoke', { functionKey: 'getAdminPage', payload: {}, as: 'admin' });
      return (answer.result as { view: Record<string, unknown> }).view as {
        cloudId: string;
        installation: { status: string; source: string; installedAt: string };
        triggers: Array<{ trigger: string; status: string; generatedAt: string | null }>;
      };
    };

    beforeAll(async () => {
      dev = await startDevServer({ kvsFile: file });
    });
    afterAll(async () => {
      await dev?.close();
    });

    it('shows that installation at the time the last run stopped, installed by the event, no report yet', async () => {
      const state = (await (await fetch(`${dev.url}/__dev/state`)).json()) as Record<string, unknown>;
      expect(state).toMatchObject({ cloudId, kvsFile: file, scenario: null, hoursSinceInstall: 11.5 });
      const view = await adminView();
      expect(view.cloudId).toBe(cloudId);
      expect(view.installation).toMatchObject({ status: 'recorded', source: 'event' });
      expect(view.triggers.find((t) => t.trigger === 'AUTO_12H')?.status).not.toBe('done');
    });

    it('keeps npm start off the file while it serves it', async () => {
      const run = await runCli('start', ['--kvs-file', file, '--hours', '1', '--out', out]);
      expect(run.code).toBe(2);
      expect(run.stderr.trim()).toMatch(
        new RegExp(`--kvs-file ".*world\\.db": is in use by npm run dev \\(process ${process.pid}\\)`),
      );
    });

    it('advancing its clock delivers the waiting wake-ups: AUTO_12H stored on its mark, not at the next tick', async () => {
      await post('/__dev/advance', { minutes: 60 });

      const view = await adminView();
      const installedAt = Date.parse(view.installation.installedAt);
      const report = view.triggers.find((t) => t.trigger === 'AUTO_12H')!;
      expect(report.status).toBe('done');
      // The tick comes at +12h19m; only the wake-up chain (+11h34m, +11h49m, +12h00m) lands on the mark.
      expect(Date.parse(report.generatedAt!) - installedAt).toBe(12 * 3_600_000);
    });
  });

  describe('then npm start again, twice', () => {
    beforeAll(async () => {
      third = await runCli('start', ['--kvs-file', file, '--hours', '11', '--out', out]);
      fourth = await runCli('start', ['--kvs-file', file, '--out', out]);
    });

    it('continues from the clock the dev server left, with no second install or AUTO_12H', () => {
      expect(third.code).toBe(0);
      expect(third.stdout).toContain(`Continuing installation ${cloudId} from ${file}, now +12h30m after install`);
      expect(summaryValue(third, 'cloudId')).toBe(cloudId);
      expect(summaryValue(third, 'installed at')).toBe(summaryValue(first, 'installed at'));
      expect(third.stdout).not.toMatch(/Installation recorded|Attempting AUTO_12H/);
      expect(summaryValue(third, 'AUTO_12H')).toMatch(/^generated .*\(12\.00 h after install\), in an earlier run -> /);
      expect(summaryValue(third, 'this run')).toBe('+12h30m .. +23h30m after install');
      expect(summaryValue(third, 'wake-ups kept')).toBe('1 still to come (from +23h34m), kept for the next run');
      // The report the dev server's clock stored is the one npm start writes out.
      const onDisk = JSON.parse(readFileSync(path.join(out, cloudId, 'AUTO_12H.json'), 'utf8')) as {
        generated_at: string;
      };
      expect(Date.parse(onDisk.generated_at) - Date.parse(summaryValue(third, 'installed at'))).toBe(12 * 3_600_000);
    });

    it('the next run delivers the waiting wake-up at its instant and stores AUTO_24H on its mark, once', () => {
      expect(fourth.code).toBe(0);
      expect(fourth.stdout).toContain(`Continuing installation ${cloudId} from ${file}, now +23h30m after install`);
      expect(fourth.stdout).toMatch(/\+23h34m {2}\[Phase5Scheduler\] Wake-up pushed/);
      expect(fourth.stdout).toMatch(/\+24h00m {2}\[Phase5Scheduler\] AUTO_24H report generated successfully/);
      expect(summaryValue(fourth, 'wake-ups kept')).toBe('1 from the last run delivered in this one');
      expect(summaryValue(fourth, 'AUTO_12H')).toMatch(/in an earlier run -> /);
      expect(summaryValue(fourth, 'AUTO_24H')).toMatch(
        /^generated .*\(24\.00 h after install\), committed 1x -> .*; 0 s after its due instant$/,
      );
      expect(summaryValue(fourth, 'this run')).toBe('+23h30m .. +53h30m after install');
      expect(readdirSync(out)).toEqual([cloudId]);
      expect(readdirSync(path.join(out, cloudId)).sort()).toEqual([
        'AUTO_12H.csv',
        'AUTO_12H.json',
        'AUTO_24H.csv',
        'AUTO_24H.json',
      ]);
    });

    it('refuses to continue it on another site or seed', async () => {
      const run = await runCli('start', ['--kvs-file', file, '--seed', '5', '--out', out]);
      expect(run.code).toBe(2);
      expect(run.stderr.trim()).toMatch(
        /^npm start: --seed "5" differs from the installation in .*world\.db \(seed 1\)/,
      );
      expect(run.stdout).toBe('');
    });
  });
});

describe('a run that fails', () => {
  it('exits 3, never 1, which says a report was stored twice', async () => {
    // A file that holds an installation, but KVS data in a table of another shape: the run
    // starts, and SQLite refuses its first statement.
    const file = path.join(scratchFolder('crash'), 'world.db');
    const made = await runCli('start', ['--kvs-file', file, '--hours', '0', '--out', scratchFolder('crash-out')]);
    expect(made.code).toBe(0);
    const db = openSqlite(file);
    db.exec('DROP TABLE kvs_entries; CREATE TABLE kvs_entries (id INTEGER PRIMARY KEY)');
    db.close();

    const run = await runCli('start', ['--kvs-file', file, '--hours', '1', '--out', scratchFolder('crash-out')]);
    expect(run.code).toBe(3);
    expect(run.stderr.trim()).toMatch(/^npm start: no such column/);
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
    // At 0.95 the storage module's own four tries of the evidence write still win now and then; with
    // seed 2 every one of the installed event's five deliveries (Forge's four retries) is refused.
    const run = await runCli('start', [
      '--fault-rate',
      '0.95',
      '--seed',
      '2',
      '--hours',
      '1',
      '--out',
      scratchFolder('unrecorded'),
    ]);
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
  const expected: Array<[Tool, string[]]> = [
    ['start', ['--hours H', 'a number from 0 to 336; default 30', '--kvs-file FILE', 'default .local-data/reports']],
    ['dev', ['--port N', 'a whole number from 1 to 65535; default 8787', 'default done-12h', 'Ctrl-C stops it']],
    ['soak', ['--installations N', 'a whole number from 1 to 1000000; default 10000', '--event-loss F']],
    ['bench', ['--reps N', '--site NAME', 'one of small, large; default small']],
    ['bench:report', ['--runs N', 'a whole number from 1 to 100; default 3', '--latency-ms MS', 'default 150']],
    ['mutate:parts', ['PART ...', '--force', '--concurrency N', 'not set by default']],
    ['mutate:score', ['REPORT ...', 'default reports/mutation/mutation.json']],
  ];
  const runs = new Map<Tool, CliRun>();

  /** Each tool is a separate Node process: three at a time. */
  beforeAll(async () => {
    const queue = expected.map(([tool]) => tool);
    const worker = async () => {
      for (let tool = queue.shift(); tool; tool = queue.shift()) runs.set(tool, await runCli(tool, ['--help']));
    };
    await Promise.all([worker(), worker(), worker()]);
  });

  it.each(expected)('%s shows each option with what it accepts and its default, and its exit codes', (tool, texts) => {
    const run = runs.get(tool)!;
    const text = run.stdout.replace(/\s+/g, ' ');
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout.startsWith(`Usage: ${commandOf(tool)} -- `)).toBe(true);
    for (const t of texts) expect(text).toContain(t);
    // 3 (the tool failed) stands apart from 1 (what it checks does not hold) and 2 (a wrong option).
    expect(text).toMatch(/[Ee]xit code.* 2 when .* 3 when /);
  });
});
