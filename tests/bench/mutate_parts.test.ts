import { mkdtempSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { minimatch } from 'minimatch';
import { FOLDERS, inputsStamp, isUpToDate, PARTS, partPaths, partsAsked } from '../../bench/mutate_parts';

/**
 * `npm run mutate:parts` skips a folder only when its kept report was made from
 * the inputs as they are now: any change to code, tests or configuration makes it
 * run again, and build output or reports never do.
 */
function project(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'mutate-parts-'));
  mkdirSync(path.join(root, 'src', 'storage'), { recursive: true });
  mkdirSync(path.join(root, 'tests'), { recursive: true });
  writeFileSync(path.join(root, 'src', 'storage', 'keys.ts'), 'export const A = 1;\n');
  writeFileSync(path.join(root, 'tests', 'keys.test.ts'), 'test("a", () => {});\n');
  writeFileSync(path.join(root, 'stryker.config.mjs'), 'export default {};\n');
  return root;
}

describe('whether a part needs its mutation run again', () => {
  it('changes its stamp when code, a test or the configuration changes, or a test is added', () => {
    const root = project();
    const before = inputsStamp(root);
    expect(inputsStamp(root)).toBe(before);

    for (const [file, text] of [
      ['src/storage/keys.ts', 'export const A = 2;\n'],
      ['tests/keys.test.ts', 'test("b", () => {});\n'],
      ['stryker.config.mjs', 'export default { x: 1 };\n'],
      ['tests/new.test.ts', 'test("c", () => {});\n'],
    ]) {
      const stamp = inputsStamp(root);
      writeFileSync(path.join(root, file), text);
      expect(inputsStamp(root)).not.toBe(stamp);
    }
  });

  it('keeps its stamp when only reports, build output or installed packages change', () => {
    const root = project();
    const before = inputsStamp(root);
    for (const dir of ['reports/mutation', 'node_modules/x', 'src/.stryker-tmp']) {
      mkdirSync(path.join(root, dir), { recursive: true });
      writeFileSync(path.join(root, dir, 'f.json'), '{}');
    }
    expect(inputsStamp(root)).toBe(before);
  });

  it('is up to date only with both its report and a stamp equal to the current one', () => {
    const root = project();
    const paths = partPaths(root, 'storage');
    const stamp = inputsStamp(root);
    mkdirSync(path.dirname(paths.report), { recursive: true });

    expect(isUpToDate(paths, stamp)).toBe(false);
    writeFileSync(paths.report, '{"files":{}}');
    expect(isUpToDate(paths, stamp)).toBe(false);
    writeFileSync(paths.stamp, `${stamp}\n`);
    expect(isUpToDate(paths, stamp)).toBe(true);
    expect(isUpToDate(paths, inputsStamp(root, ['src']))).toBe(false);
  });
});

describe('the parts', () => {
  /** As Stryker reads `mutate` (its project reader, with minimatch): the `!` patterns take files back out. */
  const inPart = (file: string, patterns: readonly string[]) =>
    patterns.some((p) => !p.startsWith('!') && minimatch(file, p)) &&
    !patterns.some((p) => p.startsWith('!') && minimatch(file, p.slice(1)));

  const sourceFiles = (folder: string): string[] =>
    readdirSync(path.join(__dirname, '..', '..', folder), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .map((f) => path.posix.join(folder, f.split(path.sep).join('/')));

  it('mutate every source file of the four folders exactly once, each within its folder', () => {
    const files = FOLDERS.flatMap(sourceFiles);
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) {
      const owners = PARTS.filter((p) => inPart(file, p.mutate));
      expect({ file, owners: owners.map((p) => p.name) }).toEqual({ file, owners: [expect.any(String)] });
      expect(file.startsWith(`${owners[0].folder}/`)).toBe(true);
    }
  });

  it('have names that are distinct and safe as file names', () => {
    const names = PARTS.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z0-9-]+$/);
  });

  it('are chosen on the command line by name or by folder, all of them when none is named', () => {
    const names = (args: string[]) => partsAsked(args).parts.map((p) => p.name);
    expect(names([])).toEqual(PARTS.map((p) => p.name));
    expect(names(['--force'])).toEqual(PARTS.map((p) => p.name));
    expect(names(['src/admin'])).toEqual(['admin-actions', 'admin-status', 'admin-other']);
    expect(names(['admin-status', 'src/phase4'])).toEqual(['phase4', 'admin-status']);
    expect(partsAsked(['src/frontend', 'admin']).unknown).toEqual(['src/frontend', 'admin']);
  });
});
