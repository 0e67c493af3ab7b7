import { readFileSync } from 'node:fs';
import path from 'node:path';
import { APP_ROOT } from '../../local/runtime/invoker';
import { runCli, scratchFolder } from './run_cli';

/**
 * The README shows what `npm start` prints, including a `--kvs-file` world
 * continued past 24 h. Each fenced block whose first line is `$ npm start…` is
 * a transcript: its commands are run here, in order, on a fresh scratch folder,
 * and what they print must read as the README says, so the two cannot drift.
 *
 * In a transcript, a line that is only `…` stands for any number of lines, and
 * `…` inside a line for any text (a cloudId cut short, a wall time, a report's
 * path); everything else must be printed exactly, line for line. Paths under
 * /tmp in a command are taken to the scratch folder (and back in the output),
 * and reports are written there too.
 */

jest.setTimeout(120_000);

interface Step {
  command: string;
  expected: string[];
}

interface Transcript {
  /** The README line the block starts on, to point at. */
  line: number;
  steps: Step[];
}

function transcripts(readme: string): Transcript[] {
  const lines = readme.split('\n');
  const found: Transcript[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```/.test(lines[i]) || !lines[i + 1]?.startsWith('$ npm start')) continue;
    const start = i + 1;
    const end = lines.findIndex((l, j) => j > start && l.startsWith('```'));
    const steps: Step[] = [];
    for (const l of lines.slice(start, end)) {
      if (l.startsWith('$ ')) steps.push({ command: l.slice(2), expected: [] });
      else steps[steps.length - 1].expected.push(l.trimEnd());
    }
    found.push({ line: start + 1, steps });
    i = end;
  }
  return found;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const lineMatcher = (expected: string) => new RegExp(`^${expected.split('…').map(escape).join('.*')}$`);

/**
 * Whether `actual` reads as `expected`: in order, `…` lines skipping any number of lines. On a
 * mismatch, the expected line no reading could get past, and the output line it was held against.
 */
function compare(expected: string[], actual: string[]): { ok: true } | { ok: false; expected: string; got: string } {
  let furthest = { e: 0, a: 0 };
  const memo = new Set<string>();
  const match = (e: number, a: number): boolean => {
    if (e > furthest.e || (e === furthest.e && a > furthest.a)) furthest = { e, a };
    if (e === expected.length) return a === actual.length;
    const key = `${e},${a}`;
    if (memo.has(key)) return false;
    memo.add(key);
    if (expected[e] === '…') {
      for (let skip = a; skip <= actual.length; skip++) if (match(e + 1, skip)) return true;
      return false;
    }
    return a < actual.length && lineMatcher(expected[e]).test(actual[a]) && match(e + 1, a + 1);
  };
  if (match(0, 0)) return { ok: true };
  return {
    ok: false,
    expected: expected[furthest.e] ?? '(the end of the transcript)',
    got: actual[furthest.a] ?? '(the end of the output)',
  };
}

const readme = readFileSync(path.join(APP_ROOT, 'README.md'), 'utf8');

describe("the README's npm start transcripts", () => {
  const all = transcripts(readme);

  it('include a plain run and a --kvs-file world continued past both reports', () => {
    const commands = all.map((t) => t.steps.map((s) => s.command));
    expect(commands).toContainEqual(['npm start']);
    expect(commands).toContainEqual([
      'npm start -- --kvs-file /tmp/world.db --hours 13',
      'npm start -- --kvs-file /tmp/world.db',
    ]);
  });

  it.each(all.map((t) => [t.line, t] as const))('starting on line %i reads as what the tool prints', async (_, t) => {
    const scratch = scratchFolder('readme');
    for (const step of t.steps) {
      const m = /^npm start(?: -- (.*))?$/.exec(step.command);
      if (!m) throw new Error(`README line ${t.line}: this test runs npm start transcripts only: ${step.command}`);
      const args = (m[1] ?? '').split(/\s+/).filter(Boolean);
      const inScratch = args.map((a) => (a.startsWith('/tmp/') ? path.join(scratch, a.slice('/tmp/'.length)) : a));
      const out = args.includes('--out') ? [] : ['--out', path.join(scratch, 'reports')];

      const run = await runCli('start', [...inScratch, ...out]);

      const printed = run.stdout
        .split(path.join(scratch, 'reports'))
        .join('.local-data/reports')
        .split(`${scratch}/`)
        .join('/tmp/')
        .replace(/\n$/, '')
        .split('\n')
        .map((l) => l.trimEnd());
      expect({ command: step.command, code: run.code, stderr: run.stderr }).toEqual({
        command: step.command,
        code: 0,
        stderr: '',
      });
      expect({ command: step.command, ...compare(step.expected, printed) }).toEqual({
        command: step.command,
        ok: true,
      });
    }
  });
});

describe('reading a transcript', () => {
  it('holds each line to the output exactly, except where … stands for lines or text', () => {
    const out = ['a', 'b 12 c', 'd', 'e'];
    expect(compare(['a', 'b … c', 'd', 'e'], out)).toEqual({ ok: true });
    expect(compare(['a', '…', 'e'], out)).toEqual({ ok: true });
    expect(compare(['…'], out)).toEqual({ ok: true });
    expect(compare(['a', 'b 13 c', '…'], out)).toEqual({ ok: false, expected: 'b 13 c', got: 'b 12 c' });
    expect(compare(['a', '…', 'd'], out)).toMatchObject({ ok: false });
    expect(compare(['a', 'b … c', 'd', 'e', 'f'], out)).toEqual({
      ok: false,
      expected: 'f',
      got: '(the end of the output)',
    });
  });
});
