import { APP_ROOT } from '../../local/runtime/invoker';
import { runClientSideLint } from '../../local/forge_toolchain/client_lint';
import { validateManifest } from '../../local/forge_toolchain/manifest_check';

/**
 * `forge lint`'s client-side linters over the app, offline (see client_lint.ts
 * for what is left out and why).
 */

// The published Forge tooling is slow to load (each manifest linter compiles the schema anew).
jest.setTimeout(180_000);

describe('forge lint (client-side, offline)', () => {
  let report: Awaited<ReturnType<typeof runClientSideLint>>;

  beforeAll(async () => {
    const { manifest } = await validateManifest(APP_ROOT);
    report = await runClientSideLint(APP_ROOT, manifest!);
  });

  it('reports no errors and no warnings', () => {
    expect(report.findings).toEqual([]);
  });

  it('actually parses every TypeScript file under src/', () => {
    // Lint skips any .ts file that tsconfig.json's `include` globs do not list by
    // name. A directory entry such as "src" lists no file, and lint then passes
    // having read nothing; this guards against that silent pass.
    const typescript = report.filesOffered.filter((f) => /\.tsx?$/.test(f));

    expect(typescript.length).toBeGreaterThan(0);
    expect(report.filesParsed).toEqual(typescript);
  });

  it('runs the source and manifest linters', () => {
    expect(report.linters).toEqual(
      expect.arrayContaining([
        'HandlerLinter',
        'FullManifestLinter',
        'FunctionTimeoutLinter',
        'DeprecatedApiModuleLinter',
      ]),
    );
    expect(report.linters).not.toContain('PermissionLinter');
  });
});
