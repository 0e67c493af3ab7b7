import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import path from 'node:path';
import { APP_ROOT } from '../../local/runtime/invoker';
import { openSqlite } from '../../local/sqlite';
import { CliRun, commandOf, ENTRY, runCli, scratchFolder, Tool } from './run_cli';

/**
 * Every bad command line a newcomer can type ends the same way: before any
 * work, one line on stderr naming the option, the value and what is accepted,
 * nothing on stdout, exit code 2, and nothing created on disk.
 */

jest.setTimeout(180_000);

const scratch = scratchFolder('args');
const textFile = path.join(scratch, 'notes.txt');
const foreignDb = path.join(scratch, 'other.db');
const readOnly = path.join(scratch, 'read-only');
const missing = path.join(scratch, 'no-such-folder');

interface Case {
  tool: Tool;
  args: string[];
  /** What the one line on stderr must say. */
  says: RegExp;
  unprivileged?: boolean;
  viaNpm?: boolean;
}

const start = (args: string[], says: RegExp, extra: Partial<Case> = {}): Case => ({
  tool: 'start',
  args,
  says,
  ...extra,
});
const dev = (args: string[], says: RegExp, extra: Partial<Case> = {}): Case => ({ tool: 'dev', args, says, ...extra });
const other = (tool: Tool, args: string[], says: RegExp): Case => ({ tool, args, says });

let busy: Server;
let busyPort = 0;

const cases = (): Array<[string, Case]> => [
  // Numbers, parsed strictly.
  ['hex hours', start(['--hours', '0x10'], /--hours "0x10" is not a number from 0 to 336/)],
  ['empty hours', start(['--hours', ''], /--hours "" is not a number from 0 to 336/)],
  ['negative hours', start(['--hours', '-5'], /--hours "-5" is not a number from 0 to 336/)],
  ['hours in exponent form', start(['--hours=1e1'], /--hours "1e1" is not a number from 0 to 336/)],
  ['fractional seed', start(['--seed', '1.5'], /--seed "1.5" is not a whole number from 0 to 2147483647/)],
  ['fractional duplicates', start(['--duplicates', '1.4'], /--duplicates "1.4" is not a whole number from 1 to 20/)],
  ['fault rate above its range', start(['--fault-rate', '0.99'], /--fault-rate "0.99" is not a number from 0 to 0.95/)],
  ['latency with a unit', start(['--latency', '10ms'], /--latency "10ms" is not a whole number from 0 to 5000/)],
  ['unknown site', start(['--site', 'huge'], /--site "huge" is not one of small, large/)],
  // The shape of the command line.
  ['misspelt option', start(['--hour', '13'], /unknown option --hour; known options: --hours, /)],
  ['option without its value', start(['--hours'], /--hours needs a value: a number from 0 to 336/)],
  ['option given twice', start(['--hours', '1', '--hours', '2'], /--hours is given twice/)],
  ['value on a switch', start(['--verbose=yes'], /--verbose takes no value, got "yes"/)],
  ['stray argument', start(['13'], /unexpected argument "13".*npm start -- --hours 13/)],
  [
    'option npm kept for itself',
    start(['--hours', '13'], /npm kept --hours for itself.*npm start -- --hours/, { viaNpm: true }),
  ],
  // --kvs-file, checked on the machine before the run.
  [
    'kvs file in a missing folder',
    start(['--kvs-file', path.join(missing, 'k.db')], /--kvs-file ".*k\.db": folder .*no-such-folder does not exist/),
  ],
  [
    'kvs file that is a text file',
    start(['--kvs-file', textFile], /--kvs-file ".*notes\.txt": is not a SQLite database/),
  ],
  ['kvs file that is a folder', start(['--kvs-file', scratch], /--kvs-file ".*": is a folder, not a file/)],
  [
    'kvs file of another program',
    start(
      ['--kvs-file', foreignDb],
      /--kvs-file ".*other\.db": is a SQLite database of something else \(tables invoices\)/,
    ),
  ],
  [
    'kvs file in a read-only folder',
    start(
      ['--kvs-file', path.join(readOnly, 'k.db')],
      /--kvs-file ".*k\.db": cannot create files in folder .*read-only/,
      { unprivileged: true },
    ),
  ],
  // --out, checked before the run rather than after it.
  ['out to a file', start(['--out', textFile], /--out ".*notes\.txt": .*notes\.txt is a file, not a folder/)],
  [
    'out under a file',
    start(
      ['--out', path.join(textFile, 'reports')],
      /--out ".*": .*notes\.txt is a file, so no folder can be made under it/,
    ),
  ],
  [
    'out to a read-only folder',
    start(['--out', path.join(readOnly, 'reports')], /--out ".*": cannot create files in folder .*read-only/, {
      unprivileged: true,
    }),
  ],
  // npm run dev.
  ['non-numeric port', dev(['--port', 'abc'], /--port "abc" is not a whole number from 1 to 65535/)],
  ['port out of range', dev(['--port', '99999'], /--port "99999" is not a whole number from 1 to 65535/)],
  [
    'busy port',
    dev(
      ['--port', String(busyPort)],
      new RegExp(`--port "${busyPort}": port ${busyPort} on 127\\.0\\.0\\.1 is already in use`),
    ),
  ],
  [
    'unknown scenario',
    dev(['--scenario', 'sunny'], /--scenario "sunny" is not one of done-12h, failing, no-installation/),
  ],
  [
    'dev over a kvs file that does not exist',
    dev(
      ['--kvs-file', path.join(scratch, 'none.db')],
      /--kvs-file ".*none\.db": does not exist: make one first with npm start -- --kvs-file/,
    ),
  ],
  [
    'dev option npm kept for itself',
    dev(['--port', '9000'], /npm kept --port for itself.*npm run dev -- --port/, { viaNpm: true }),
  ],
  // The soak, the benchmarks and the mutation tools read their options from the same kind of table.
  ['soak help option misspelt', other('soak', ['--hlep'], /unknown option --hlep; known options: --installations, /)],
  [
    'soak without installations',
    other('soak', ['--installations', '0'], /--installations "0" is not a whole number from 1 to 1000000/),
  ],
  [
    'soak event loss above one',
    other('soak', ['--event-loss', '1.5'], /--event-loss "1.5" is not a number from 0 to 1/),
  ],
  [
    'bench reps in exponent form',
    other('bench', ['--reps', '1e3'], /--reps "1e3" is not a whole number from 1 to 100000/),
  ],
  ['bench on an unknown site', other('bench', ['--site', 'huge'], /--site "huge" is not one of small, large/)],
  [
    'report bench runs without a value',
    other('bench:report', ['--runs'], /--runs needs a value: a whole number from 1 to 100/),
  ],
  [
    'mutation part that does not exist',
    other('mutate:parts', ['admin'], /"admin" is not a part or a mutated folder: the parts are phase4, /),
  ],
  [
    'mutation concurrency of zero',
    other('mutate:parts', ['--concurrency', '0'], /--concurrency "0" is not a whole number from 1 to 64/),
  ],
  [
    'mutation report that does not exist',
    other('mutate:score', [path.join(scratch, 'none.json')], /".*none\.json": does not exist/),
  ],
  ['mutation report that is not JSON', other('mutate:score', [textFile], /".*notes\.txt": cannot be read as JSON/)],
];

const results = new Map<string, CliRun>();

/** Runs every case up front, three at a time: each is a separate Node process. */
beforeAll(async () => {
  writeFileSync(textFile, 'not a database\n');
  const db = openSqlite(foreignDb);
  db.exec('CREATE TABLE invoices (id INTEGER PRIMARY KEY)');
  db.close();
  mkdirSync(readOnly);
  chmodSync(readOnly, 0o555);
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  busyPort = (busy.address() as { port: number }).port;

  const queue = cases();
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [name, c] = next;
      results.set(name, await runCli(c.tool, c.args, { unprivileged: c.unprivileged, viaNpm: c.viaNpm }));
    }
  };
  await Promise.all([worker(), worker(), worker()]);
});

afterAll(async () => {
  await new Promise((resolve) => busy?.close(resolve));
});

describe.each(cases().map(([name]) => name))('%s', (name) => {
  it('is refused in one line naming the option, value and range, with exit code 2, before any work', () => {
    const c = Object.fromEntries(cases())[name];
    const run = results.get(name)!;
    expect(run.code).toBe(2);
    // npm prints its own banner lines on stderr in some versions; the tool's line is the last.
    const lines = run.stderr.trim().split('\n');
    expect(c.viaNpm ? lines.slice(-1) : lines).toHaveLength(1);
    expect(lines[lines.length - 1]).toMatch(c.says);
    expect(lines[lines.length - 1].startsWith(`${commandOf(c.tool)}: `)).toBe(true);
    expect(run.stdout.replace(/^\s*>.*$/gm, '').trim()).toBe('');
  });
});

describe('the tools these tests run', () => {
  it('are the entry files the npm scripts name', () => {
    const scripts = (
      JSON.parse(readFileSync(path.join(APP_ROOT, 'package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    for (const [tool, entry] of Object.entries(ENTRY)) {
      expect({ tool, script: scripts[tool] }).toEqual({ tool, script: `tsx ${path.relative(APP_ROOT, entry)}` });
    }
  });
});

describe('nothing is left on disk by a refused command line', () => {
  it('creates no KVS file, no report folder and no probe file', () => {
    expect(existsSync(missing)).toBe(false);
    expect(readdirSync(readOnly)).toEqual([]);
    expect(readdirSync(scratch).sort()).toEqual(['notes.txt', 'other.db', 'read-only']);
  });
});
