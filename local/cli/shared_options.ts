import { PathProblem } from '../fs_checks';
import { inspectWorldFile } from '../runtime/world_file';
import { OptionSpec, pathOption, Rejected } from './options';

/** Options `npm start` and `npm run dev` both take, so they mean the same thing in both. */

/** A path check whose problem becomes the option's rejection. */
export const checkedPath =
  (check: (p: string) => void) =>
  (p: string): void => {
    try {
      check(p);
    } catch (err) {
      if (err instanceof PathProblem) throw new Rejected(err.reason);
      throw err;
    }
  };

/**
 * `--kvs-file FILE`: the SQLite file holding one local installation and its KVS data. Refused up
 * front when it is not such a file, cannot be written, or another tool is using it; with
 * `mustHold`, also when it holds no installation yet.
 */
export function kvsFileOption(help: string, mustHold: 'must hold an installation' | null): OptionSpec<string> {
  return pathOption({
    placeholder: 'FILE',
    accepts:
      mustHold === null
        ? 'a SQLite file an earlier --kvs-file run made, or a new file in a writable folder'
        : 'a file npm start -- --kvs-file made',
    help,
    check: checkedPath((file) => {
      const { exists, world, heldBy } = inspectWorldFile(file);
      if (heldBy) {
        throw new PathProblem(`is in use by ${heldBy.command} (process ${heldBy.pid}); stop it (Ctrl-C) first`);
      }
      if (!world && mustHold !== null) {
        throw new PathProblem(
          `${exists ? 'holds no installation yet' : 'does not exist'}: make one first with npm start -- --kvs-file ${file}`,
        );
      }
    }),
  });
}
