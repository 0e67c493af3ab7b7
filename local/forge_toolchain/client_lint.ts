import path from 'node:path';
import { ConfigFile, FileSystemReader, FileSystemWriter, listGitIgnoreFiles } from '@forge/cli-shared';
import {
  getClientSideLintersOnly,
  lint,
  parseSourceFile,
  PermissionLinter,
  type LintResultRule,
  type LinterInterface,
} from '@forge/lint';
import type { ManifestSchema } from '@forge/manifest';

/**
 * `forge lint`'s client-side linters, run offline. The CLI itself cannot run
 * here: it adds a server-side linter over GraphQL and needs a login. Called
 * directly, @forge/lint needs two things from us:
 *  - a Statsig stand-in. Lint asks Statsig only for the deprecated runtimes;
 *    the answer below is the published one (nodejs20.x deploys are blocked).
 *  - no PermissionLinter: it downloads six product OpenAPI specs from
 *    developer.atlassian.com before it starts. What it would check (that each
 *    `requestJira` route is covered by a scope) is therefore NOT checked offline.
 *
 * Lint reads ./manifest.yml and ./tsconfig.json from the working directory, so
 * the run happens with the app root as cwd.
 */

export const DEPRECATED_RUNTIMES: readonly string[] = ['nodejs20.x', 'nodejs18.x'];

export interface LintFinding {
  file: string;
  severity: 'error' | 'warning' | 'approval';
  message: string;
  reference: string;
  line: number;
  column: number;
}

export interface ClientLintReport {
  linters: string[];
  /** What the CLI would hand to lint: every file under src/ and UI Kit resource directories. */
  filesOffered: string[];
  /** The TypeScript/JavaScript files lint actually parsed and ran its source linters over. */
  filesParsed: string[];
  findings: LintFinding[];
}

/**
 * The files `forge lint` hands to the linters, chosen as the CLI's LintService
 * chooses them (with the same @forge/cli-shared helpers): everything under
 * ./src, plus the directories of UI Kit resources, minus what .gitignore names.
 * Custom UI resources are built bundles and are not linted.
 */
async function filesForgeLintReads(): Promise<string[]> {
  const reader = new FileSystemReader();
  const configFile = new ConfigFile(reader, new FileSystemWriter());
  const uiKitDirectories = (await configFile.getResources(['nativeUI'])).map((r) => path.dirname(r.path));
  const exclude = [...(await listGitIgnoreFiles(reader)), '.git', 'node_modules'];
  const perDirectory = await Promise.all(
    ['./src', ...uiKitDirectories].map((dir) => reader.recursiveReadDir(dir, exclude)),
  );
  return [...new Set(perDirectory.flat())].sort();
}

async function inDirectory<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const previous = process.cwd();
  process.chdir(dir);
  try {
    return await fn();
  } finally {
    process.chdir(previous);
  }
}

export async function runClientSideLint(appRoot: string, manifest: ManifestSchema): Promise<ClientLintReport> {
  const quiet = { info: () => undefined, warn: () => undefined, debug: () => undefined, error: () => undefined };
  const statsig = { getDeprecatedRuntimes: () => Promise.resolve([...DEPRECATED_RUNTIMES]) } as unknown as Parameters<
    typeof lint
  >[4];
  const logger = quiet as unknown as Parameters<typeof lint>[3];

  return inDirectory(appRoot, async () => {
    const all: LinterInterface[] = await getClientSideLintersOnly(manifest, 'development', logger, statsig);
    const linters = all.filter((l) => !(l instanceof PermissionLinter));
    const filesOffered = await filesForgeLintReads();
    const filesParsed: string[] = [];
    const results = await lint(filesOffered, manifest, 'development', logger, statsig, {
      linter: { mode: 'client-side' },
      linters,
      parseFunction: async (file, parser, readFile) => {
        filesParsed.push(file);
        return parseSourceFile(file, parser, readFile);
      },
    });
    const findings: LintFinding[] = [];
    const add = (file: string, severity: LintFinding['severity'], rules: LintResultRule[]) => {
      for (const r of rules) {
        findings.push({ file, severity, message: r.message, reference: r.reference, line: r.line, column: r.column });
      }
    };
    for (const r of results) {
      const file = path.relative(appRoot, path.resolve(appRoot, r.file));
      add(file, 'error', r.errors);
      add(file, 'warning', r.warnings);
      add(file, 'approval', r.approvals);
    }
    return { linters: linters.map((l) => l.constructor.name), filesOffered, filesParsed: filesParsed.sort(), findings };
  });
}
