import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { commandLineOrExit, EXIT_CODES, helpText, OperandSpec, Rejected, runTool, toggle } from '../local/cli/options';

/**
 * npm run mutate:score [-- report.json ...]   (`-- --help` for the details)
 *
 * The mutation score of each mutated folder, read from Stryker's JSON report
 * (reports/mutation/mutation.json after `npm run mutate`), and every surviving
 * mutant checked against the reviewed list in docs/mutation_survivors.json.
 * A survivor is matched by file, mutator, original code and replacement (and, for
 * a common literal, the text of its line), not by line number, so the list
 * survives edits above it. Exits non-zero when a survivor is
 * not in the list or a listed one no longer survives, so the list stays true.
 *
 * Several reports may be given, from runs over different files or lines
 * (`-- --mutate src/admin/actions.ts:10-40`, ...): they are read as one
 * (mergeReports), a later run's result for a mutant replacing an earlier one's.
 *
 * Score, as Stryker counts it: (killed + timeout) / (killed + timeout + survived
 * + no coverage). Mutants that do not compile and ignored ones are not counted.
 */

type Status =
  'Killed' | 'Survived' | 'NoCoverage' | 'Timeout' | 'CompileError' | 'RuntimeError' | 'Ignored' | 'Pending';

interface Position {
  line: number;
  column: number;
}

export interface Mutant {
  id: string;
  mutatorName: string;
  replacement?: string;
  status: Status;
  location: { start: Position; end: Position };
}

export interface Report {
  files: Record<string, { source: string; mutants: Mutant[] }>;
}

export interface ListedSurvivor {
  file: string;
  mutator: string;
  original: string;
  replacement: string;
  /**
   * The whole source line the mutant starts on, for an `original` as common as `false` or `''`, so that
   * the entry covers that one place and not every such literal in the file.
   */
  line?: string;
  /** `equivalent`: no behaviour can tell it apart; `left`: a real difference no test shows yet. */
  verdict: 'equivalent' | 'left';
  reason: string;
}

export interface Tally {
  killed: number;
  timeout: number;
  survived: number;
  noCoverage: number;
  compileError: number;
  ignored: number;
}

const empty = (): Tally => ({ killed: 0, timeout: 0, survived: 0, noCoverage: 0, compileError: 0, ignored: 0 });

export function score(t: Tally): number | null {
  const valid = t.killed + t.timeout + t.survived + t.noCoverage;
  return valid === 0 ? null : (100 * (t.killed + t.timeout)) / valid;
}

function add(t: Tally, status: Status): void {
  if (status === 'Killed') t.killed++;
  else if (status === 'Timeout') t.timeout++;
  else if (status === 'Survived') t.survived++;
  else if (status === 'NoCoverage') t.noCoverage++;
  else if (status === 'CompileError') t.compileError++;
  else if (status === 'Ignored') t.ignored++;
}

/** The code a mutant replaced, from the report's copy of the source (1-based lines and columns). */
export function originalText(source: string, m: Mutant): string {
  const lines = source.split('\n');
  const { start, end } = m.location;
  if (start.line === end.line) return lines[start.line - 1].slice(start.column - 1, end.column - 1);
  const middle = lines.slice(start.line, end.line - 1);
  return [lines[start.line - 1].slice(start.column - 1), ...middle, lines[end.line - 1].slice(0, end.column - 1)].join(
    '\n',
  );
}

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

/** Which mutant this is, across runs: Stryker's ids are numbered afresh by each run. */
const mutantKey = (m: Mutant) =>
  `${m.mutatorName} ${m.location.start.line}:${m.location.start.column}-${m.location.end.line}:${m.location.end.column} ${m.replacement ?? ''}`;

/**
 * Several runs' reports as one. For a file whose source is the same in both, a
 * later run's result for a mutant replaces the earlier one's and the rest are
 * kept, so a re-run of a few lines after a change updates just those mutants.
 * A file whose source changed between the runs is taken whole from the later one:
 * its earlier results describe code that no longer exists.
 */
export function mergeReports(reports: readonly Report[]): Report {
  const files: Report['files'] = {};
  for (const report of reports) {
    for (const [file, later] of Object.entries(report.files)) {
      const earlier = files[file];
      if (earlier === undefined || earlier.source !== later.source) {
        files[file] = { source: later.source, mutants: [...later.mutants] };
        continue;
      }
      const byKey = new Map(earlier.mutants.map((m) => [mutantKey(m), m]));
      for (const m of later.mutants) byKey.set(mutantKey(m), m);
      files[file] = { source: later.source, mutants: [...byKey.values()] };
    }
  }
  return { files };
}

/** `src/admin/actions.ts` → `src/admin` */
const folderOf = (file: string) => path.posix.dirname(file);

export function summarise(report: Report, listed: readonly ListedSurvivor[]) {
  const folders = new Map<string, Tally>();
  const total = empty();
  const unlisted: string[] = [];
  const matched = new Set<ListedSurvivor>();
  for (const [file, { source, mutants }] of Object.entries(report.files)) {
    const tally = folders.get(folderOf(file)) ?? empty();
    folders.set(folderOf(file), tally);
    for (const m of mutants) {
      add(tally, m.status);
      add(total, m.status);
      if (m.status !== 'Survived' && m.status !== 'NoCoverage') continue;
      const original = oneLine(originalText(source, m));
      const replacement = oneLine(m.replacement ?? '');
      const line = oneLine(source.split('\n')[m.location.start.line - 1] ?? '');
      const entry = listed.find(
        (l) =>
          l.file === file &&
          l.mutator === m.mutatorName &&
          oneLine(l.original) === original &&
          oneLine(l.replacement) === replacement &&
          (l.line === undefined || oneLine(l.line) === line),
      );
      if (entry) matched.add(entry);
      else
        unlisted.push(
          `${file}:${m.location.start.line}:${m.location.start.column} ${m.status} ${m.mutatorName}: ${original} -> ${replacement}`,
        );
    }
  }
  const mutatedFiles = new Set(Object.keys(report.files));
  const stale = listed.filter((l) => mutatedFiles.has(l.file) && !matched.has(l));
  return { folders, total, unlisted, matched: [...matched], stale };
}

const COMMAND = 'npm run mutate:score';
const DEFAULT_REPORT = 'reports/mutation/mutation.json';

export const SCORE_OPTIONS = { help: toggle('show this text') };

/** A Stryker JSON report on this machine. */
export const REPORT_OPERAND: OperandSpec<string> = {
  placeholder: 'REPORT',
  accepts: 'a JSON report a Stryker run wrote',
  help: `reports to read as one, a later one's result for a mutant replacing an earlier one's (default ${DEFAULT_REPORT})`,
  parse: (text) => {
    if (text.trim() === '') throw new Rejected('is not a file name: it is empty');
    return path.resolve(text);
  },
  check: (file) => {
    let isFile: boolean;
    try {
      isFile = statSync(file).isFile();
    } catch {
      throw new Rejected('does not exist (npm run mutate or npm run mutate:parts writes the reports)');
    }
    if (!isFile) throw new Rejected('is not a file');
    let files: unknown;
    try {
      files = (JSON.parse(readFileSync(file, 'utf8')) as { files?: unknown }).files;
    } catch (err) {
      throw new Rejected(`cannot be read as JSON (${(err as Error).message.replace(/\s+/g, ' ')})`);
    }
    if (typeof files !== 'object' || files === null)
      throw new Rejected('is JSON but not a Stryker report (no "files")');
  },
};

export const SCORE_HELP = helpText(
  `Usage: ${COMMAND} -- [REPORT ...]`,
  'The mutation score of each mutated folder from Stryker JSON reports, every survivor checked against\n' +
    'docs/mutation_survivors.json. Exit code 0 when every survivor is listed and every listed one still\n' +
    'survives, 1 when not, 2 when an argument is wrong, 3 when the tool itself failed.',
  SCORE_OPTIONS,
  REPORT_OPERAND,
);

async function main(): Promise<void> {
  const { operands } = commandLineOrExit(COMMAND, SCORE_OPTIONS, SCORE_HELP, REPORT_OPERAND);
  // With no report named, the default one is read, checked as if it had been named.
  const reportPaths =
    operands.length > 0
      ? operands
      : commandLineOrExit(COMMAND, SCORE_OPTIONS, SCORE_HELP, REPORT_OPERAND, [DEFAULT_REPORT]).operands;
  const report = mergeReports(reportPaths.map((p) => JSON.parse(readFileSync(p, 'utf8')) as Report));
  const listed = JSON.parse(readFileSync('docs/mutation_survivors.json', 'utf8')) as ListedSurvivor[];
  const { folders, total, unlisted, matched, stale } = summarise(report, listed);

  const pct = (t: Tally) => {
    const s = score(t);
    return s === null ? '   n/a' : `${s.toFixed(2).padStart(6)}%`;
  };
  const row = (name: string, t: Tally) =>
    `${name.padEnd(16)} ${pct(t)}  killed ${t.killed}, timeout ${t.timeout}, survived ${t.survived}, ` +
    `no coverage ${t.noCoverage}, compile error ${t.compileError}, ignored ${t.ignored}`;
  for (const [folder, t] of [...folders].sort(([a], [b]) => a.localeCompare(b))) console.log(row(folder, t));
  console.log(row('all', total));

  const equivalent = matched.filter((l) => l.verdict === 'equivalent').length;
  console.log(`survivors listed: ${matched.length} (${equivalent} equivalent, ${matched.length - equivalent} left)`);
  for (const u of unlisted) console.log(`NOT LISTED ${u}`);
  for (const s of stale) console.log(`NO LONGER SURVIVES ${s.file} ${s.mutator}: ${s.original} -> ${s.replacement}`);
  if (unlisted.length > 0 || stale.length > 0) process.exitCode = EXIT_CODES.finding;
}

if (require.main === module) runTool(COMMAND, main);
