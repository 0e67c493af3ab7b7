import path from 'node:path';
import { assertCreatableFolder, PathProblem } from '../fs_checks';
import { SITE_PRESETS, SitePreset } from '../jira/site';
import { inspectWorldFile } from '../runtime/world_file';
import type { SimulationResult, SimulationStart, TickOutcome } from '../simulator/simulate';
import {
  decimalNumber,
  EXIT_CODES,
  helpText,
  oneOf,
  parseCommandLine,
  pathOption,
  toggle,
  UsageError,
  wholeNumber,
} from './options';
import { checkedPath, kvsFileOption } from './shared_options';

/**
 * `npm start`: the app's main job, locally. One Jira site installs the app and
 * the scheduled trigger runs at the manifest's interval for 30 simulated hours,
 * with the wake-up events it pushes, against the real Forge SDKs talking to the
 * local KVS, async events and Jira emulators. With
 * `--kvs-file`, the installation lives in the file: the next run continues it,
 * and `npm run dev -- --kvs-file` shows it on the admin page.
 */

const COMMAND = 'npm start';

export const START_OPTIONS = {
  hours: decimalNumber({
    min: 0,
    max: 336,
    default: 30,
    placeholder: 'H',
    help: 'simulated hours this run covers: from installation, or from where the --kvs-file installation stopped',
  }),
  site: oneOf({
    choices: Object.keys(SITE_PRESETS) as SitePreset[],
    default: 'small',
    help: 'emulated Jira site size; a --kvs-file installation keeps its own',
  }),
  'fault-rate': decimalNumber({
    min: 0,
    max: 0.95,
    default: 0,
    help: 'fraction of KVS requests that fail, half with 500 and half with 429',
  }),
  duplicates: wholeNumber({
    min: 1,
    max: 20,
    default: 1,
    help: 'deliver each scheduled tick N times at once, as Forge occasionally does',
  }),
  'event-loss': decimalNumber({
    min: 0,
    max: 1,
    default: 0,
    help: 'fraction of wake-up events lost; a lost one leaves its report to the next scheduled tick',
  }),
  seed: wholeNumber({
    min: 0,
    max: 2_147_483_647,
    default: 1,
    help: 'seed for the site, the schedule offset and the faults; a --kvs-file installation keeps its own',
  }),
  latency: wholeNumber({
    min: 0,
    max: 5_000,
    default: 0,
    placeholder: 'MS',
    help: 'real milliseconds added to each KVS and Jira request',
  }),
  'kvs-file': kvsFileOption(
    'keep KVS and the installation itself in this SQLite file: the next run on it continues the installation, ' +
      'and npm run dev -- --kvs-file FILE shows it',
    null,
  ),
  out: pathOption({
    placeholder: 'DIR',
    default: path.join('.local-data', 'reports'),
    accepts: 'a folder that exists or can be created, and can be written',
    help: "where to write the reports, one folder per installation holding exactly that installation's reports",
    check: checkedPath(assertCreatableFolder),
  }),
  verbose: toggle('print every log line, including idle invocations'),
  help: toggle('show this text'),
};

export const START_HELP = helpText(
  `Usage: ${COMMAND} -- [options]`,
  'Simulates one installation of the app from install through --hours of scheduled invocations, on a\n' +
    'simulated clock, with no Atlassian account. Exit code 0 when every report was stored at most once,\n' +
    '1 when one was stored twice, 2 when an option is wrong, 3 when the simulation itself failed.',
  START_OPTIONS,
);

/** A path as the user would type it from here: relative inside the working directory, absolute outside. */
const shown = (p: string) => {
  const relative = path.relative(process.cwd(), p);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : p;
};

const hhmm = (ms: number) => {
  const minutes = Math.round(ms / 60_000);
  const m = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${String(Math.floor(m / 60)).padStart(2, '0')}h${String(m % 60).padStart(2, '0')}m`;
};

function readCommandLine(argv: string[]) {
  const { values, given } = parseCommandLine(COMMAND, START_OPTIONS, argv, process.env);
  if (values.help) return { help: true as const };
  const kvsFile = values['kvs-file'];
  const saved = kvsFile ? inspectWorldFile(kvsFile).world : undefined;
  // A saved installation runs on its own site; a different one asked for explicitly is a mistake.
  for (const [name, mine, theirs] of [
    ['site', values.site, saved?.site],
    ['seed', values.seed, saved?.seed],
  ] as const) {
    if (saved && given.has(name) && mine !== theirs) {
      throw new UsageError(
        `${COMMAND}: --${name} ${JSON.stringify(String(mine))} differs from the installation in ${kvsFile} ` +
          `(${name} ${theirs}); leave --${name} out to continue it, or give a new --kvs-file`,
      );
    }
  }
  return {
    help: false as const,
    verbose: values.verbose,
    opts: {
      hours: values.hours,
      site: saved?.site ?? values.site,
      faultRate: values['fault-rate'],
      duplicates: values.duplicates,
      eventLoss: values['event-loss'],
      seed: saved?.seed ?? values.seed,
      latencyMs: values.latency,
      kvsFile,
      outDir: values.out,
    },
  };
}

/** How long after its due instant a report was stored: seconds, or minutes and seconds. */
function lateness(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return 'due instant unknown';
  const sec = Math.round(ms / 1000);
  return sec < 60 ? `${sec} s` : `${Math.floor(sec / 60)} min ${sec % 60} s`;
}

async function main(): Promise<void> {
  let command;
  try {
    command = readCommandLine(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(err.message);
    process.exit(err.exitCode);
  }
  if (command.help) {
    console.log(START_HELP);
    return;
  }
  const { opts, verbose } = command;
  // Loaded only once the command line is known to be good: nothing runs before that.
  const { simulateInstallation } = await import('../simulator/simulate');

  const wallStart = process.hrtime.bigint();
  let origin = 0;
  const since = (at: number) => hhmm(at - origin);
  // Quiet invocations (nothing due, or the single read failed and the next tick retries) are
  // folded into one line per stretch, so the interesting ones stand out.
  let idle: { count: number; readFailures: number; from: number; to: number } | null = null;
  const flushIdle = () => {
    if (idle && idle.count + idle.readFailures > 0) {
      const parts = [
        ...(idle.count > 0 ? [`${idle.count} idle invocation(s): no trigger due`] : []),
        ...(idle.readFailures > 0 ? [`${idle.readFailures} failed KVS read(s) retried next tick`] : []),
      ];
      const when = idle.from === idle.to ? since(idle.from) : `${since(idle.from)} .. ${since(idle.to)}`;
      console.log(`${when}  ${parts.join(', ')}`);
    }
    idle = null;
  };
  const IDLE_LINE = /Starting for cloudId|No trigger due|Scheduler error: KVS batch read/;
  const deliveries = `${opts.duplicates} deliver${opts.duplicates === 1 ? 'y' : 'ies'} per tick`;
  let installRecorded = false;
  /** The simulated instant of the last log line printed. */
  let shownAt: number | null = null;

  const onStart = (s: SimulationStart) => {
    // Times are shown from the recorded install time when there is one, else from the installed event.
    origin = s.installedAt ?? s.installEventAt;
    installRecorded = s.installedAt !== null;
    console.log(
      s.continued
        ? `Continuing installation ${s.installation.cloudId} from ${opts.kvsFile}, now ${since(s.startedAt)} after ` +
            `install, for ${opts.hours} h more on its ${opts.site} Jira site (fault rate ${opts.faultRate}, ${deliveries})\n`
        : `Simulating one installation for ${opts.hours} h on a ${opts.site} Jira site ` +
            `(fault rate ${opts.faultRate}, ${deliveries}, seed ${opts.seed})` +
            (opts.kvsFile ? `, kept in ${opts.kvsFile}` : '') +
            '\n',
    );
  };
  const result: SimulationResult = await simulateInstallation({
    ...opts,
    onStart,
    onLog: (at, line) => {
      if (!installRecorded && line.includes('[Phase4Evidence] Installation recorded')) {
        installRecorded = true;
        origin = at;
      }
      if (verbose || !IDLE_LINE.test(line)) {
        flushIdle();
        console.log(`${since(at)}  ${line}`);
        shownAt = at;
      }
    },
    onTick: (at, outcomes: TickOutcome[]) => {
      const readFailed = (o: TickOutcome) => o.reason === 'STORAGE_UNAVAILABLE' && o.invocation.stats.kvsRequests === 1;
      // A tick that said something (it pushed a wake-up) has been shown already, not idle.
      if (verbose || shownAt === at || !outcomes.every((o) => o.reason === 'NO_TRIGGER_DUE' || readFailed(o))) return;
      const quiet = idle ?? { count: 0, readFailures: 0, from: at, to: at };
      idle = {
        ...quiet,
        to: at,
        count: quiet.count + outcomes.filter((o) => !readFailed(o)).length,
        readFailures: quiet.readFailures + outcomes.filter(readFailed).length,
      };
    },
  });
  flushIdle();
  const wallSeconds = Number(process.hrtime.bigint() - wallStart) / 1e9;
  printSummary(result, opts.kvsFile, wallSeconds);
  const duplicates = Object.values(result.commits).some((n) => n > 1);
  if (duplicates) process.exitCode = EXIT_CODES.finding;
}

function printSummary(r: SimulationResult, kvsFile: string | undefined, wallSeconds: number): void {
  const per = (n: number) => (r.invocations > 0 ? (n / r.invocations).toFixed(2) : '0');
  const origin = r.installedAt ?? r.installEventAt;
  const line = (label: string, text: string) => console.log(`${`${label}:`.padEnd(23)}${text}`);
  console.log('\n=== Summary ===');
  line('cloudId', r.installation.cloudId);
  if (kvsFile) {
    line(
      'kvs file',
      `${shown(kvsFile)} (${r.continued ? 'continued the installation saved there' : 'new installation saved there'}; ` +
        `the next run on it starts at ${hhmm(r.endedAt - origin)})`,
    );
  }
  if (r.installedAt !== null) {
    line('installed at', new Date(r.installedAt).toISOString());
  } else {
    line('installed at', 'NOT RECORDED');
    const delivered = r.continued
      ? 'The installed event came in an earlier run, and its install time was never stored.'
      : `The installed event was delivered ${r.installDeliveries} time(s), and KVS refused to store the install time each time.`;
    for (const text of [
      delivered,
      'The app counts its 12 h and 24 h reports from that time, so without it no report can ever fall due:',
      'the scheduler stops with INSTALLATION_TIMESTAMP_UNAVAILABLE whenever its KVS read succeeds. On a real',
      `site an administrator records it with "Record installation time now" on the admin page` +
        (kvsFile ? ` (here: npm run dev -- --kvs-file ${shown(kvsFile)}).` : '.'),
    ]) {
      console.log(`${''.padEnd(23)}${text}`);
    }
  }
  line('this run', `${hhmm(r.startedAt - origin)} .. ${hhmm(r.endedAt - origin)} after install`);
  line('schedule', `every ${r.intervalMs / 60_000} min, offset ${r.offsetMs / 1000}s into each interval`);
  line(
    'invocations',
    `${r.invocations} (${r.invocations - r.wakeUps} scheduled, ${r.wakeUps} wake-up events; ${r.wakeUpsLost} wake-up(s) lost)`,
  );
  if (kvsFile && (r.wakeUpsCarriedIn > 0 || r.wakeUpsWaiting.length > 0)) {
    const waiting = r.wakeUpsWaiting.length;
    line(
      'wake-ups kept',
      [
        ...(r.wakeUpsCarriedIn > 0 ? [`${r.wakeUpsCarriedIn} from the last run delivered in this one`] : []),
        ...(waiting > 0
          ? [`${waiting} still to come (from ${hhmm(r.wakeUpsWaiting[0] - origin)}), kept for the next run`]
          : []),
      ].join('; '),
    );
  }
  line(
    'outcomes',
    Object.entries(r.outcomes)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v}`)
      .join(', ') || 'none',
  );
  line('KVS requests', `${r.kvs.requests} (${per(r.kvs.requests)}/invocation), ${r.kvs.writes} writes`);
  line('KVS bytes', `${r.kvs.bytesRead} read, ${r.kvs.bytesWritten} written`);
  line('Jira requests', String(r.jiraRequests));
  line('backoffs applied', String(r.backoffs.length));
  for (const trigger of ['AUTO_12H', 'AUTO_24H']) {
    const report = r.reports.find((x) => x.name === trigger);
    const commits = r.commits[trigger] ?? 0;
    const when = report && report.generatedAt < r.startedAt ? 'in an earlier run' : `committed ${commits}x`;
    line(
      trigger,
      report
        ? `generated ${new Date(report.generatedAt).toISOString()} (${report.hoursAfterInstall.toFixed(2)} h after install), ${when} -> ${shown(report.file)}; ${lateness(report.latenessMs)} after its due instant`
        : 'not generated',
    );
  }
  const others = r.reports.filter((x) => x.name !== 'AUTO_12H' && x.name !== 'AUTO_24H');
  if (others.length > 0) line('other reports', others.map((x) => x.name).join(', '));
  if (r.staleFilesRemoved.length > 0) {
    line('removed', `${r.staleFilesRemoved.length} report file(s) an earlier run left for reports no longer stored`);
  }
  line('wall time', `${wallSeconds.toFixed(2)} s`);
}

if (require.main === module) {
  // `npm start | head` closes the pipe early: that is the reader being done, not a failure.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  main().catch((err: unknown) => {
    // The file checked up front can still be taken by another tool before this run opens it.
    if (err instanceof PathProblem) {
      console.error(`${COMMAND}: --kvs-file: ${err.reason}`);
      process.exit(EXIT_CODES.usage);
    }
    // A machine problem met while running (disk full, a folder removed meanwhile, a file SQLite
    // cannot use): say it in one line. Never exit code 1: that says a report was stored twice.
    const code = (err as NodeJS.ErrnoException).code;
    console.error(code ? `${COMMAND}: ${(err as Error).message}` : err);
    process.exit(EXIT_CODES.crashed);
  });
}
