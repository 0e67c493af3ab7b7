/**
 * Captures what installations store before claims became Custom Entity Store
 * records: claims as plain keys with leases, EPOCH keys, DONE keys, the state,
 * Phase-4 evidence, manual and set-aside reports with their entries, audit
 * entries. It drives the app's own handlers (scheduler, installed event, admin
 * resolver) through the local Forge runtime, so the shapes are exactly what that
 * code wrote, and saves every entry as tests/upgrade/pre_ledger_shapes.json.
 *
 * It was run once, on the commit before the ledger replaced those shapes:
 *   npx tsx tests/upgrade/capture_pre_ledger_shapes.ts
 * Run on a later commit it would capture that commit's shapes, not these; the
 * upgrade tests (tests/upgrade/) load the saved file, never this script.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Installation, SeamCall } from '../../local/runtime/forge_runtime';
import { LocalApp } from '../../local/runtime/local_app';

const ADMIN = '5b10a2844c20165700ede21g';
const PAGE = 'phase5-admin-page';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

let jiraDown = false;
let killAtCommit = false;
const app = new LocalApp({
  jiraAdmins: [ADMIN],
  interceptor: (call: SeamCall) => {
    if (call.service === 'jira' && jiraDown && !call.path.startsWith('/rest/api/3/mypermissions')) {
      return new Response(JSON.stringify({ errorMessages: ['Service unavailable'] }), { status: 503 });
    }
    if (killAtCommit && call.service === 'kvs' && call.path === '/api/v1/transaction') call.invocation.kill();
  },
});

async function install(inst: Installation): Promise<void> {
  const r = await app.invoker.installed(inst);
  if (r.killed) throw new Error('installed event killed');
}
async function tick(inst: Installation, expected: string): Promise<void> {
  const r = await app.runScheduler<{ reason: string }>(inst);
  const reason = r.killed ? 'killed' : r.body?.reason;
  if (reason !== expected) throw new Error(`expected ${expected}, got ${reason}`);
}
async function admin(inst: Installation, functionKey: string, payload: unknown): Promise<void> {
  const r = await app.invoker.resolver<{ ok: boolean }>(inst, PAGE, functionKey, payload, ADMIN);
  if (r.killed || !r.result.ok) throw new Error(`${functionKey}: ${JSON.stringify(r)}`);
}

interface Captured {
  description: string;
  cloudId: string;
  installedAt: string;
  entries: Array<{ key: string; value: unknown; expireTime?: string }>;
}

async function main(): Promise<void> {
  const out: Record<string, Captured> = {};
  const start = app.clock.now();
  /** Each installation is installed `ageMs` before the capture instant, and driven from then on. */
  const plans: Array<[string, string, number, (inst: Installation) => Promise<void>]> = [
    [
      'fresh',
      'installed 2 h ago; idle runs wrote nothing but the evidence',
      2 * HOUR,
      async (inst) => {
        app.clock.set(start - HOUR);
        await tick(inst, 'NO_TRIGGER_DUE');
      },
    ],
    [
      'failed-once',
      'AUTO_12H attempt #1 failed (Jira down) 1 min ago; its claim released with the failure, 30 min backoff',
      12 * HOUR + 2 * MINUTE,
      async (inst) => {
        app.clock.set(start - MINUTE);
        jiraDown = true;
        await tick(inst, 'GENERATION_FAILED');
        jiraDown = false;
      },
    ],
    [
      'generating',
      'AUTO_12H attempt #1 claimed 1 min ago by a holder still running (its claim unreleased, lease 16 min)',
      12 * HOUR + 2 * MINUTE,
      async (inst) => {
        app.clock.set(start - MINUTE);
        killAtCommit = true;
        await tick(inst, 'killed');
        killAtCommit = false;
      },
    ],
    [
      'done-12h',
      'AUTO_12H stored on attempt #2 after one failure; AUTO_24H not yet due',
      14 * HOUR,
      async (inst) => {
        app.clock.set(start - 2 * HOUR + MINUTE);
        jiraDown = true;
        await tick(inst, 'GENERATION_FAILED');
        jiraDown = false;
        app.clock.set(start - 85 * MINUTE);
        await tick(inst, 'GENERATED');
      },
    ],
    [
      'reset-24h-and-manual',
      'both stored; AUTO_24H then reset once (EPOCH 1, report set aside, fence released) and due again; two manual reports',
      26 * HOUR,
      async (inst) => {
        app.clock.set(start - 14 * HOUR + MINUTE);
        await tick(inst, 'GENERATED');
        app.clock.set(start - 2 * HOUR + MINUTE);
        await tick(inst, 'GENERATED');
        app.clock.set(start - 30 * MINUTE);
        await admin(inst, 'generateManualReport', { confirmation: 'GENERATE MANUAL REPORT' });
        app.clock.set(start - 20 * MINUTE);
        await admin(inst, 'generateManualReport', { confirmation: 'GENERATE MANUAL REPORT' });
        app.clock.set(start - 10 * MINUTE);
        await admin(inst, 'resetTrigger', { trigger: 'AUTO_24H', confirmation: 'RESET AUTO_24H' });
      },
    ],
    [
      'both-done',
      'both reports stored on their first attempts',
      30 * HOUR,
      async (inst) => {
        app.clock.set(start - 18 * HOUR + MINUTE);
        await tick(inst, 'GENERATED');
        app.clock.set(start - 6 * HOUR + MINUTE);
        await tick(inst, 'GENERATED');
      },
    ],
  ];
  for (const [name, description, ageMs, drive] of plans) {
    const inst = app.newInstallation();
    app.clock.set(start - ageMs);
    await install(inst);
    await drive(inst);
    app.clock.set(start);
    out[name] = {
      description,
      cloudId: inst.cloudId,
      installedAt: new Date(start - ageMs).toISOString(),
      entries: app.kvs.entries(inst.installationId).map((e) => ({
        key: e.key,
        value: e.value,
        ...(e.expireTime ? { expireTime: e.expireTime } : {}),
      })),
    };
  }
  const file = path.join(__dirname, 'pre_ledger_shapes.json');
  writeFileSync(
    file,
    JSON.stringify({ capturedAt: new Date(start).toISOString(), installations: out }, null, 2) + '\n',
  );
  console.log(`wrote ${file}`);
  app.dispose();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
