import { statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Checks a local tool makes on the machine before it starts work, so a bad path is
 * reported in one line up front instead of as a stack trace after a long run.
 */

/** Why a path cannot be used; `reason` completes a sentence about the path. */
export class PathProblem extends Error {
  constructor(
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(reason, options);
    this.name = 'PathProblem';
  }
}

const codeOf = (err: unknown) => (err as NodeJS.ErrnoException).code ?? 'error';

/** Throws PathProblem unless `dir` is an existing folder this process can create files in. */
export function assertWritableFolder(dir: string): void {
  let stat;
  try {
    stat = statSync(dir);
  } catch (err) {
    throw new PathProblem(`folder ${dir} does not exist`, { cause: err });
  }
  if (!stat.isDirectory()) throw new PathProblem(`${dir} is a file, not a folder`);
  // Trying is the only honest test: access() answers from mode bits, which say yes to root
  // on a read-only mount and know nothing of ACLs.
  const probe = path.join(dir, `.write-probe-${process.pid}-${Date.now()}`);
  try {
    writeFileSync(probe, '', { flag: 'wx' });
    unlinkSync(probe);
  } catch (err) {
    throw new PathProblem(`cannot create files in folder ${dir} (${codeOf(err)}: read-only?)`, { cause: err });
  }
}

/**
 * Throws PathProblem unless `dir` is a folder that exists or can be created, and can be written.
 * Creates nothing: a folder that does not exist yet is judged by its nearest existing parent.
 */
export function assertCreatableFolder(dir: string): void {
  let existing = dir;
  for (;;) {
    try {
      statSync(existing);
      break;
    } catch (err) {
      if (codeOf(err) !== 'ENOENT' && codeOf(err) !== 'ENOTDIR') {
        throw new PathProblem(`${existing} cannot be read (${codeOf(err)})`, { cause: err });
      }
      const parent = path.dirname(existing);
      if (parent === existing) throw new PathProblem(`no part of ${dir} exists`, { cause: err });
      existing = parent;
    }
  }
  if (!statSync(existing).isDirectory()) {
    throw new PathProblem(
      existing === dir ? `${dir} is a file, not a folder` : `${existing} is a file, so no folder can be made under it`,
    );
  }
  assertWritableFolder(existing);
}
