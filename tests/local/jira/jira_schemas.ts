/**
 * Runs jira_schema_check.mjs (see there for why it is a separate Node process) over
 * a batch of bodies and returns one verdict per check.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export interface SchemaCheck {
  label: string;
  /** A schema exported by jira.js/cloud, e.g. PageProjectSchema. */
  schema: string;
  body: unknown;
  /** Validate each element of an array body. */
  each?: boolean;
}

export interface SchemaVerdict {
  label: string;
  ok: boolean;
  issues: string[];
}

export function validateWithJiraJs(checks: SchemaCheck[]): { strict: boolean; results: SchemaVerdict[] } {
  const output = execFileSync(process.execPath, [join(__dirname, 'jira_schema_check.mjs')], {
    input: JSON.stringify(checks),
    env: { ...process.env, AUDIT_SCHEMAS: 'true' },
    maxBuffer: 64 * 1024 * 1024,
    timeout: 30_000,
  });
  return JSON.parse(output.toString('utf8'));
}
