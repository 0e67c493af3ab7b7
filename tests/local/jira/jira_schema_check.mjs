// Validates response bodies against the zod models jira.js publishes.
//
// Why a separate Node process: jira.js is ESM-only (its "exports" offer only
// an "import" condition) and jest here runs CommonJS through ts-jest. Jest 30
// only supports require(esm) natively on Node >= 24.9, and on Node 20 it
// refuses to load jira.js without transforming node_modules, which would mean
// widening transformIgnorePatterns and running a transform over jira.js's
// ~3000 files for every jest user of this repo. Plain Node imports jira.js as
// it ships, with the zod it was built for, and needs no configuration, so the
// test hands it the bodies on stdin and reads the verdicts from stdout.
//
// AUDIT_SCHEMAS=true (set by the caller) is jira.js's own audit switch: every
// object schema becomes z.strictObject and every documented enum a real
// z.enum, so an undocumented key or value in an emulator body fails here.
//
// Input:  [{ label, schema: '<export name in jira.js/cloud>', body, each?: true }]
// Output: { strict, results: [{ label, ok, issues: string[] }] }
import { readFileSync } from 'node:fs';
import * as cloud from 'jira.js/cloud';

const checks = JSON.parse(readFileSync(0, 'utf8'));
const strict = !cloud.ProjectSchema.safeParse({ notAJiraField: true }).success;

const results = checks.map(({ label, schema, body, each }) => {
  const zodSchema = cloud[schema];
  if (!zodSchema || typeof zodSchema.safeParse !== 'function') {
    return { label, ok: false, issues: [`jira.js/cloud exports no schema named ${schema}`] };
  }
  if (each && !Array.isArray(body)) return { label, ok: false, issues: ['expected an array body'] };
  const items = each ? body : [body];
  const issues = [];
  items.forEach((item, index) => {
    const result = zodSchema.safeParse(item);
    if (result.success) return;
    for (const issue of result.error.issues) {
      const where = [...(each ? [index] : []), ...issue.path].join('.');
      issues.push(`${where || '<root>'}: ${issue.message}`);
    }
  });
  return { label, ok: issues.length === 0, issues: issues.slice(0, 20) };
});

process.stdout.write(JSON.stringify({ strict, results }));
