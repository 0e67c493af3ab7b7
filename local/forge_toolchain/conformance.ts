/**
 * `npm run conformance`: everything `forge deploy` checks that can run offline,
 * as one readable report: manifest validation, the runtime, forge lint's
 * client-side linters, and the production bundle (what it contains, its size).
 * Exits non-zero on any finding. The same checks run as jest tests in
 * tests/conformance/, which is what CI gates on; this is the report to read.
 */
import { APP_ROOT } from '../runtime/invoker';
import { runClientSideLint } from './client_lint';
import { appSourcesOf, bundleAsForgeDeploys } from './deploy_bundle';
import { DEPLOYABLE_RUNTIMES, functionModules, runsOnAtlassianBlockers, validateManifest } from './manifest_check';

const problems: string[] = [];

function check(ok: boolean, line: string): void {
  console.log(`${ok ? 'ok  ' : 'FAIL'}  ${line}`);
  if (!ok) problems.push(line);
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

async function main(): Promise<void> {
  const validation = await validateManifest(APP_ROOT);
  check(validation.success && validation.errors.length === 0, '@forge/manifest validate (full mode)');
  for (const e of validation.errors) console.log(`      ${e.level} line ${e.line ?? '?'}: ${e.message}`);
  const manifest = validation.manifest;
  if (!manifest) throw new Error('manifest.yml could not be read');

  const runtime = manifest.app.runtime.name;
  check(DEPLOYABLE_RUNTIMES.includes(runtime), `runtime ${runtime} (deployable: ${DEPLOYABLE_RUNTIMES.join(', ')})`);

  const blockers = runsOnAtlassianBlockers(manifest);
  check(blockers.length === 0, 'no egress declared: nothing in the manifest stands in the way of Runs on Atlassian');
  for (const b of blockers) console.log(`      ${b}`);

  for (const fn of functionModules(manifest)) {
    const users = fn.usedBy.map((u) => `${u.moduleType}:${u.moduleKey}`).join(', ') || 'no module';
    const settings = [
      fn.timeoutSeconds !== undefined
        ? `timeout ${fn.timeoutSeconds} s`
        : fn.usedBy.some((u) => u.role === 'resolver')
          ? 'timeout 25 s (UI resolver limit)'
          : 'timeout 55 s (default)',
      fn.memoryMB === undefined ? 'memory 512 MB (default)' : `memory ${fn.memoryMB} MB`,
    ].join(', ');
    check(fn.usedBy.length > 0, `function ${fn.key} → ${fn.handler} (${settings}; used by ${users})`);
  }

  const lint = await runClientSideLint(APP_ROOT, manifest);
  const offeredTs = lint.filesOffered.filter((f) => /\.tsx?$/.test(f));
  check(
    lint.filesParsed.length === offeredTs.length,
    `forge lint parsed ${lint.filesParsed.length} of ${offeredTs.length} TypeScript files`,
  );
  const errors = lint.findings.filter((f) => f.severity === 'error').length;
  const warnings = lint.findings.length - errors;
  check(
    lint.findings.length === 0,
    `forge lint (client-side, ${lint.linters.length} linters, PermissionLinter left out offline): ${errors} error(s), ${warnings} warning(s)`,
  );
  for (const f of lint.findings) {
    console.log(`      ${f.severity} ${f.file}:${f.line}:${f.column} ${f.message} (${f.reference})`);
  }

  const started = Date.now();
  const bundle = await bundleAsForgeDeploys(APP_ROOT, manifest);
  try {
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    check(true, `@forge/bundler (webpack + ts-loader, type-checked) built in ${seconds} s`);
    for (const c of bundle.code)
      console.log(`      ${c.name}: ${c.bytes} bytes (${kb(c.bytes)}; ${kb(c.gzipBytes)} gzipped)`);
    const appSources = appSourcesOf(bundle);
    const foreign = appSources.filter((s) => !s.startsWith('./src/'));
    check(foreign.length === 0, `bundle holds ${appSources.length} app files, all from src/ ${foreign.join(' ')}`);
    const packages = new Set(
      bundle.sources
        .filter((s) => s.includes('node_modules/'))
        .map((s) => s.replace(/^.*node_modules\/((@[^/]+\/)?[^/]+).*$/, '$1')),
    );
    console.log(`      dependencies bundled: ${[...packages].sort().join(', ')}`);
    check(bundle.warnings.length === 0, `webpack warnings: ${bundle.warnings.length}`);
  } finally {
    bundle.dispose();
  }

  console.log('');
  console.log(
    problems.length === 0 ? 'Conformance: all checks pass.' : `Conformance: ${problems.length} check(s) failed.`,
  );
  if (problems.length > 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
