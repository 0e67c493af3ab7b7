import Database from 'better-sqlite3';

/**
 * Opens a SQLite file (the KVS emulator's file backend and the `--kvs-file` world).
 *
 * better-sqlite3 is a native addon, built for one Node ABI: the binding `npm ci` built for the machine's Node
 * does not load under another major. CI also runs the tests on the Node majors Forge deploys (22 and 24);
 * for each, it builds the binding in a folder of its own and names it in `BETTER_SQLITE3_BINDING`, so the
 * tree `npm ci` made is never rebuilt or swapped. Unset, better-sqlite3 finds its own binding as usual.
 */
export function openSqlite(file: string): Database.Database {
  const nativeBinding = process.env.BETTER_SQLITE3_BINDING;
  return nativeBinding ? new Database(file, { nativeBinding }) : new Database(file);
}
