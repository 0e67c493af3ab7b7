import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { APP_ROOT } from '../../local/runtime/invoker';

/**
 * Runs a local tool as a user does: a separate Node process running the same
 * entry point the npm script names (`npm start` is `tsx local/cli/start.ts`),
 * so exit codes, stdout and stderr are the real ones. Through `npm` itself only
 * where npm's own argument handling is what is tested, as it adds a second
 * process and about a second.
 */

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The entry file each npm script runs with tsx (package.json; a test in bad_arguments.test.ts compares). */
export const ENTRY = {
  start: path.join(APP_ROOT, 'local', 'cli', 'start.ts'),
  dev: path.join(APP_ROOT, 'local', 'cli', 'dev.ts'),
  soak: path.join(APP_ROOT, 'bench', 'soak.ts'),
  bench: path.join(APP_ROOT, 'bench', 'cost.ts'),
  'bench:report': path.join(APP_ROOT, 'bench', 'report_generation.ts'),
  'mutate:parts': path.join(APP_ROOT, 'bench', 'mutate_parts.ts'),
  'mutate:score': path.join(APP_ROOT, 'bench', 'mutation_score.ts'),
};

export type Tool = keyof typeof ENTRY;

/** How the tool names itself in its messages: the npm command that runs it. */
export const commandOf = (tool: Tool) => (tool === 'start' ? 'npm start' : `npm run ${tool}`);

/**
 * Root ignores permission bits, so a read-only folder is shown to be read-only by a
 * run without the capabilities that let it (util-linux `setpriv`, present on every
 * Debian machine). Not by switching to another user: that user may not be allowed
 * into the folder the project was cloned to (a `mktemp -d` is root's alone).
 */
const DROP_DAC = ['--inh-caps=-dac_override,-dac_read_search', '--bounding-set=-dac_override,-dac_read_search'];
export const runningAsRoot = process.getuid?.() === 0;

export function runCli(
  tool: Tool,
  args: string[],
  options: { unprivileged?: boolean; viaNpm?: boolean; timeoutMs?: number } = {},
): Promise<CliRun> {
  const [tool0, argv0] = options.viaNpm
    ? ['npm', ['run', '--silent', tool, ...args]]
    : [process.execPath, ['--import', 'tsx', ENTRY[tool], ...args]];
  const [command, argv] =
    options.unprivileged && runningAsRoot ? ['setpriv', [...DROP_DAC, tool0, ...argv0]] : [tool0, argv0];
  const child = spawn(command, argv, {
    cwd: APP_ROOT,
    env: { ...process.env, FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const timeoutMs = options.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${tool} ${args.join(' ')} did not finish within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A fresh folder under the system temp folder that an unprivileged run can also use. */
export function scratchFolder(label: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `phase5-cli-${label}-`));
  chmodSync(dir, 0o777);
  return dir;
}
