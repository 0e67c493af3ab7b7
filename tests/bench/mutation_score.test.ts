import { mergeReports, summarise, type ListedSurvivor, type Mutant, type Report } from '../../bench/mutation_score';

/**
 * `npm run mutate:score`: the per-folder score and the survivor list check, and
 * how several runs' reports combine (a full run, then a re-run of a few lines).
 */

const source = ['export const A = 30 * 60_000;', 'export const ok = (n: number) => n < 3;'].join('\n');

function mutant(
  id: string,
  status: Mutant['status'],
  at: [number, number, number, number],
  mutatorName: string,
  replacement: string,
): Mutant {
  const [line, column, endLine, endColumn] = at;
  return {
    id,
    status,
    mutatorName,
    replacement,
    location: { start: { line, column }, end: { line: endLine, column: endColumn } },
  };
}

const times = (id: string, status: Mutant['status']) =>
  mutant(id, status, [1, 18, 1, 29], 'ArithmeticOperator', '30 / 60_000');
const lessThan = (id: string, status: Mutant['status']) =>
  mutant(id, status, [2, 34, 2, 39], 'EqualityOperator', 'n <= 3');

const report = (file: string, src: string, mutants: Mutant[]): Report => ({
  files: { [file]: { source: src, mutants } },
});

describe('reading several runs as one', () => {
  it("takes a later run's result for a mutant and keeps the earlier run's others, matched by place and change, not id", () => {
    const full = report('src/scheduled/x.ts', source, [times('1', 'Survived'), lessThan('2', 'Killed')]);
    const rerun = report('src/scheduled/x.ts', source, [times('7', 'Killed')]);

    const merged = mergeReports([full, rerun]).files['src/scheduled/x.ts'].mutants;

    expect(merged.map((m) => [m.mutatorName, m.status])).toEqual([
      ['ArithmeticOperator', 'Killed'],
      ['EqualityOperator', 'Killed'],
    ]);
  });

  it('takes a file whole from the later run when its source changed in between', () => {
    const full = report('src/scheduled/x.ts', source, [times('1', 'Survived'), lessThan('2', 'Killed')]);
    const edited = `// a comment\n${source}`;
    const rerun = report('src/scheduled/x.ts', edited, [
      mutant('1', 'Killed', [2, 18, 2, 29], 'ArithmeticOperator', '30 / 60_000'),
    ]);

    const merged = mergeReports([full, rerun]).files['src/scheduled/x.ts'];

    expect(merged.source).toBe(edited);
    expect(merged.mutants).toHaveLength(1);
  });

  it('keeps files only one run mutated', () => {
    const merged = mergeReports([
      report('src/scheduled/x.ts', source, [times('1', 'Killed')]),
      report('src/storage/y.ts', source, [lessThan('1', 'Survived')]),
    ]);

    expect(Object.keys(merged.files).sort()).toEqual(['src/scheduled/x.ts', 'src/storage/y.ts']);
  });
});

describe('score and survivor list', () => {
  const listed: ListedSurvivor = {
    file: 'src/scheduled/x.ts',
    mutator: 'EqualityOperator',
    original: 'n < 3',
    replacement: 'n <= 3',
    verdict: 'left',
    reason: 'test',
  };

  it('scores each folder as killed and timed out over all that ran, and matches a survivor to its listing by its text', () => {
    const r = report('src/scheduled/x.ts', source, [times('1', 'Killed'), lessThan('2', 'Survived')]);

    const { folders, unlisted, matched, stale } = summarise(r, [listed]);

    expect(folders.get('src/scheduled')).toMatchObject({ killed: 1, survived: 1 });
    expect(matched).toEqual([listed]);
    expect(unlisted).toEqual([]);
    expect(stale).toEqual([]);
  });

  it('names a survivor nobody listed, and a listing whose mutant is now killed', () => {
    const r = report('src/scheduled/x.ts', source, [times('1', 'Survived'), lessThan('2', 'Killed')]);

    const { unlisted, stale } = summarise(r, [listed]);

    expect(unlisted).toEqual(['src/scheduled/x.ts:1:18 Survived ArithmeticOperator: 30 * 60_000 -> 30 / 60_000']);
    expect(stale).toEqual([listed]);
  });

  it('with a line given, covers the literal on that line only, not the same literal elsewhere in the file', () => {
    const src = ['let sent = false;', 'let unsure = false;'].join('\n');
    const flip = (id: string, line: number): Mutant =>
      mutant(id, 'Survived', [line, line === 1 ? 12 : 14, line, line === 1 ? 17 : 19], 'BooleanLiteral', 'true');
    const onSent: ListedSurvivor = {
      ...listed,
      mutator: 'BooleanLiteral',
      original: 'false',
      replacement: 'true',
      line: '  let sent = false; ',
    };

    const { matched, unlisted } = summarise(report('src/scheduled/x.ts', src, [flip('1', 1), flip('2', 2)]), [onSent]);

    expect(matched).toEqual([onSent]);
    expect(unlisted).toEqual(['src/scheduled/x.ts:2:14 Survived BooleanLiteral: false -> true']);
  });
});
