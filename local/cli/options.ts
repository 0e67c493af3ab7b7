import path from 'node:path';

/**
 * Command-line options for the local tools (`npm start`, `npm run dev`, and the
 * bench, soak and mutation tools), declared once as a table: each entry says what the option accepts, its default and its
 * help line, and the same entry drives parsing, checking and `--help`. Adding an
 * option is one entry (say `'event-loss': decimalNumber({ min: 0, max: 1, default: 0,
 * help: '…' })`); the tool then reads its value as `values['event-loss']`.
 *
 * Everything is checked before a tool does any work: a value is parsed strictly
 * (no hex, no empty string, no rounding), then options that touch the machine
 * (files, folders) are checked for existence, type and write access. A bad value
 * ends the tool with one line naming the option, the value and what is accepted,
 * and exit code 2.
 */

/** The exit codes every local tool shares, so a script can tell a finding from a mistake or a failure. */
export const EXIT_CODES = {
  ok: 0,
  /** The tool ran and what it checks does not hold (a report stored twice, a broken invariant, a target missed). */
  finding: 1,
  /** The command line is wrong; nothing ran. */
  usage: 2,
  /** The tool itself failed while running: a bug, or the machine refused something mid-run. */
  crashed: 3,
} as const;

/** A value the option refuses; the message completes "--name "value" …". */
export class Rejected extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'Rejected';
  }
}

/** A command line the tool cannot run with; the message is the one line to show. */
export class UsageError extends Error {
  readonly exitCode = EXIT_CODES.usage;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface OptionSpec<T> {
  /** How the value is written in help (`N`, `F`, `PATH`); absent for a switch that takes no value. */
  placeholder?: string;
  /** What is accepted, in words that complete "is not …" (e.g. "a whole number from 0 to 336"). */
  accepts: string;
  help: string;
  /** The value when the option is not given (as it would be typed), parsed and checked like a given one. */
  default?: string;
  /** Text to turn into a value; throws Rejected. Pure: touches nothing outside. */
  parse(text: string): T;
  /** Checks against the machine (files, folders), run once every option has parsed; throws Rejected. */
  check?(value: T): void;
}

export type OptionTable = Record<string, OptionSpec<unknown>>;

type Parsed<S> = S extends OptionSpec<infer V> ? V : never;
/** An option with a default always has a value; one without may be absent. */
type ValueOf<S> = S extends { default: string } ? Parsed<S> : Parsed<S> | undefined;
/** A builder's result: it has a default exactly when the builder was given one. */
type Built<T, O> = O extends { default: unknown } ? OptionSpec<T> & { default: string } : OptionSpec<T>;
interface NumberOptions {
  min: number;
  max: number;
  default?: number;
  help: string;
  placeholder?: string;
}
export type OptionValues<T extends OptionTable> = { [K in keyof T]: ValueOf<T[K]> };

export interface ParsedCommandLine<T extends OptionTable, O = never> {
  values: OptionValues<T>;
  /** The options written on the command line (as opposed to defaults). */
  given: ReadonlySet<keyof T & string>;
  /** The arguments that are not options, parsed, in the order given (for a tool that takes them). */
  operands: O[];
}

/**
 * What a tool takes besides options (`npm run mutate:score -- a.json b.json`): any number of
 * arguments that do not start with `--`, each parsed and checked like an option's value.
 */
export interface OperandSpec<T> {
  /** How one is written in help (`REPORT`, `PART`). */
  placeholder: string;
  /** What is accepted, completing "is not …". */
  accepts: string;
  help: string;
  /** Text to value; throws Rejected. */
  parse(text: string): T;
  /** Checks against the machine, once every option and operand has parsed; throws Rejected. */
  check?(value: T): void;
}

const WHOLE = /^-?\d+$/;
const DECIMAL = /^-?(\d+(\.\d+)?|\.\d+)$/;

/** A whole number in [min, max], written in plain decimal digits. */
export function wholeNumber<O extends NumberOptions>(o: O): Built<number, O> {
  const accepts = `a whole number from ${o.min} to ${o.max}`;
  return {
    placeholder: o.placeholder ?? 'N',
    accepts,
    help: o.help,
    ...(o.default === undefined ? {} : { default: String(o.default) }),
    parse(text: string): number {
      const n = WHOLE.test(text) ? Number(text) : NaN;
      if (!Number.isSafeInteger(n) || n < o.min || n > o.max) throw new Rejected(`is not ${accepts}`);
      return n;
    },
  } satisfies OptionSpec<number> as Built<number, O>;
}

/** A decimal number in [min, max] (`0.3`, `.3`, `12`; no exponent, hex or Infinity). */
export function decimalNumber<O extends NumberOptions>(o: O): Built<number, O> {
  const accepts = `a number from ${o.min} to ${o.max}`;
  return {
    placeholder: o.placeholder ?? 'F',
    accepts,
    help: o.help,
    ...(o.default === undefined ? {} : { default: String(o.default) }),
    parse(text: string): number {
      const n = DECIMAL.test(text) ? Number(text) : NaN;
      if (!Number.isFinite(n) || n < o.min || n > o.max) throw new Rejected(`is not ${accepts}`);
      return n;
    },
  } satisfies OptionSpec<number> as Built<number, O>;
}

/** One of a fixed set of words. */
export function oneOf<
  C extends string,
  O extends { choices: readonly C[]; default?: C; help: string; placeholder?: string },
>(o: O & { choices: readonly C[] }): Built<C, O> {
  const accepts = `one of ${o.choices.join(', ')}`;
  return {
    placeholder: o.placeholder ?? 'NAME',
    accepts,
    help: o.help,
    ...(o.default === undefined ? {} : { default: o.default as string }),
    parse(text: string): C {
      if (!(o.choices as readonly string[]).includes(text)) throw new Rejected(`is not ${accepts}`);
      return text as C;
    },
  } satisfies OptionSpec<C> as Built<C, O>;
}

/** A switch: present or not, no value. The parser reads a given switch as `on`, an absent one as `off`. */
export function toggle(help: string): OptionSpec<boolean> & { default: string } {
  return {
    accepts: 'a switch that takes no value',
    help,
    default: 'off',
    parse: (text: string) => text === 'on',
  };
}

/** A path on this machine, made absolute against the working directory; `check` looks at the machine. */
interface PathOptions {
  help: string;
  accepts: string;
  default?: string;
  placeholder?: string;
  check: (absolutePath: string) => void;
}
export function pathOption<O extends PathOptions>(o: O): Built<string, O> {
  return {
    placeholder: o.placeholder ?? 'PATH',
    accepts: o.accepts,
    help: o.help,
    ...(o.default === undefined ? {} : { default: o.default }),
    parse(text: string): string {
      if (text.trim() === '') throw new Rejected(`is not ${o.accepts}: it is empty`);
      return path.resolve(text);
    },
    check: o.check,
  } satisfies OptionSpec<string> as Built<string, O>;
}

const quote = (text: string) => JSON.stringify(text);

/**
 * Reads `argv` against `table`. `--name value` and `--name=value` both work; a value may start
 * with `-` (so `--hours -5` is read as the number -5 and refused as one, not taken for an
 * option). Throws UsageError with one line naming the option, the value and what it accepts.
 * `env` is the process environment, to recognise options npm itself took.
 */
export function parseCommandLine<T extends OptionTable, O = never>(
  command: string,
  table: T,
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
  operandSpec?: OperandSpec<O>,
): ParsedCommandLine<T, O> {
  const fail = (message: string): never => {
    throw new UsageError(`${command}: ${message} (${command} -- --help lists every option)`);
  };
  // `npm start --hours 13` (no `--`) gives the option to npm, which passes it on only as an
  // npm_config_ variable: the tool would silently run with its default. Under npm, say so.
  if (env.npm_lifecycle_event !== undefined) {
    for (const name of Object.keys(table)) {
      const taken = env[`npm_config_${name.replace(/-/g, '_')}`];
      if (taken !== undefined) {
        fail(`npm kept --${name} for itself; options for the tool go after a --, as in ${command} -- --${name} …`);
      }
    }
  }
  // For the hint when a number is typed without its option: the first option that takes a value.
  const firstValued = Object.keys(table).find((k) => table[k].placeholder !== undefined) ?? 'help';
  const texts = new Map<string, string>();
  const operandTexts: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (operandSpec && !arg.startsWith('--')) {
      operandTexts.push(arg);
      continue;
    }
    if (!arg.startsWith('--') || arg === '--') {
      fail(
        `unexpected argument ${quote(arg)}: options start with --` +
          (WHOLE.test(arg) || DECIMAL.test(arg)
            ? `, and follow a -- after the npm command (${command} -- --${firstValued} ${arg})`
            : ''),
      );
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const spec = Object.prototype.hasOwnProperty.call(table, name) ? table[name] : undefined;
    if (!spec) {
      const known = Object.keys(table).map((k) => `--${k}`);
      fail(`unknown option --${name}; known options: ${known.join(', ')}`);
      return undefined as never;
    }
    if (texts.has(name)) fail(`--${name} is given twice`);
    let text: string;
    if (spec.placeholder === undefined) {
      if (eq >= 0) fail(`--${name} takes no value, got ${quote(arg.slice(eq + 1))}`);
      text = 'on';
    } else if (eq >= 0) {
      text = arg.slice(eq + 1);
    } else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) fail(`--${name} needs a value: ${spec.accepts}`);
      text = next;
      i++;
    }
    texts.set(name, text);
  }

  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(table)) {
    const text = texts.get(name) ?? spec.default;
    if (text === undefined) {
      values[name] = undefined;
      continue;
    }
    try {
      values[name] = spec.parse(text);
    } catch (err) {
      if (!(err instanceof Rejected)) throw err;
      fail(`--${name} ${quote(text)}${texts.has(name) ? '' : ' (the default)'} ${err.reason}`);
    }
  }
  // Checks against the machine only once every value is known to be well-formed.
  for (const [name, spec] of Object.entries(table)) {
    if (!spec.check || values[name] === undefined) continue;
    try {
      spec.check(values[name]);
    } catch (err) {
      if (!(err instanceof Rejected)) throw err;
      const text = texts.get(name) ?? spec.default ?? '';
      fail(`--${name} ${quote(text)}${texts.has(name) ? '' : ' (the default)'}: ${err.reason}`);
    }
  }
  const operands: O[] = [];
  for (const text of operandTexts) {
    try {
      operands.push(operandSpec!.parse(text));
    } catch (err) {
      if (!(err instanceof Rejected)) throw err;
      fail(`${quote(text)} ${err.reason}`);
    }
  }
  operands.forEach((value, i) => {
    try {
      operandSpec!.check?.(value);
    } catch (err) {
      if (!(err instanceof Rejected)) throw err;
      fail(`${quote(operandTexts[i])}: ${err.reason}`);
    }
  });
  return {
    values: values as OptionValues<T>,
    given: new Set(texts.keys()) as ReadonlySet<keyof T & string>,
    operands,
  };
}

/** The help text: usage, what the tool does, then each option with what it accepts and its default. */
export function helpText(usage: string, about: string, table: OptionTable, operandSpec?: OperandSpec<unknown>): string {
  const operandRows = operandSpec
    ? [{ left: `  ${operandSpec.placeholder} ...`, right: `${operandSpec.help} (${operandSpec.accepts})` }]
    : [];
  const optionRows = Object.entries(table).map(([name, spec]) => {
    const left = `  --${name}${spec.placeholder ? ` ${spec.placeholder}` : ''}`;
    const facts =
      spec.placeholder === undefined
        ? ''
        : ` (${spec.accepts}${spec.default !== undefined ? `; default ${spec.default}` : '; not set by default'})`;
    return { left, right: `${spec.help}${facts}` };
  });
  const width = Math.max(...[...operandRows, ...optionRows].map((r) => r.left.length)) + 2;
  const wrap = (text: string) => {
    const lines: string[] = [];
    let line = '';
    for (const word of text.split(' ')) {
      if (line && line.length + 1 + word.length > 100 - width) {
        lines.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    lines.push(line);
    return lines.join(`\n${' '.repeat(width)}`);
  };
  const rows = (list: typeof optionRows) => list.map((r) => r.left.padEnd(width) + wrap(r.right)).join('\n');
  const args = operandRows.length > 0 ? `Arguments:\n${rows(operandRows)}\n\n` : '';
  return `${usage}\n\n${about}\n\n${args}Options:\n${rows(optionRows)}\n`;
}

/**
 * For a tool whose command line needs no more than its table: the parsed command line, or the
 * end of the process. `--help` prints `help` and exits 0; a bad command line prints its one line
 * on stderr and exits 2, before the tool does any work.
 */
export function commandLineOrExit<T extends OptionTable & { help: OptionSpec<boolean> }, O = never>(
  command: string,
  table: T,
  help: string,
  operandSpec?: OperandSpec<O>,
  argv: readonly string[] = process.argv.slice(2),
): ParsedCommandLine<T, O> {
  let parsed: ParsedCommandLine<T, O>;
  try {
    parsed = parseCommandLine(command, table, argv, process.env, operandSpec);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(err.message);
    process.exit(err.exitCode);
  }
  if ((parsed.values as { help?: boolean }).help) {
    console.log(help);
    process.exit(EXIT_CODES.ok);
  }
  return parsed;
}

/**
 * Runs a tool's main. A throw ends the process with exit code 3, never 1: 1 is each tool's
 * finding (a report stored twice, a broken invariant), and a crash must not read as one. A
 * machine problem (a failed system call: disk full, a folder removed meanwhile) is said in one line;
 * anything else is a bug, shown with its stack.
 */
export function runTool(command: string, main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    const machine = typeof (err as NodeJS.ErrnoException | null)?.syscall === 'string';
    console.error(machine ? `${command}: ${(err as Error).message}` : err);
    process.exit(EXIT_CODES.crashed);
  });
}
