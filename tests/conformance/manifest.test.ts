import { readFileSync } from 'node:fs';
import path from 'node:path';
import { APP_ROOT } from '../../local/runtime/invoker';
import { parse } from 'yaml';
import {
  DEPLOYABLE_RUNTIMES,
  egressOf,
  functionModules,
  runsOnAtlassianBlockers,
  validateManifest,
} from '../../local/forge_toolchain/manifest_check';
import type { ManifestSchema } from '@forge/manifest';
import { INTERVAL_MS, loadManifest } from '../../local/runtime/manifest';
import { SCHEDULER } from '../../src/scheduled/config';
import { WAKE_UP_QUEUE } from '../../src/scheduled/wake_up_queue';

/**
 * manifest.yml as `forge deploy` would receive it: the published validator in
 * full mode, plus the rules it does not know about (runtime deprecations,
 * the memory each scheduled function is billed at).
 */

// @forge/manifest compiles its schema on first use: seconds on a busy CI machine.
jest.setTimeout(60_000);

describe('manifest.yml', () => {
  it('passes @forge/manifest full validation with no findings', async () => {
    const check = await validateManifest(APP_ROOT);

    expect(check.errors).toEqual([]);
    expect(check.success).toBe(true);
  });

  it('names a runtime Forge still deploys', async () => {
    const { manifest } = await validateManifest(APP_ROOT);

    expect(DEPLOYABLE_RUNTIMES).toContain(manifest?.app.runtime.name);
  });

  it('sizes the memory of every scheduled function explicitly, within what Forge allows', async () => {
    const { manifest } = await validateManifest(APP_ROOT);

    // Forge bills GB-seconds at the configured memory; the 512 MB default would
    // bill a scheduled function at several times what it needs (see `npm run bench`).
    const scheduled = functionModules(manifest!).filter((f) => f.usedBy.some((u) => u.role === 'scheduledTrigger'));
    expect(scheduled.length).toBeGreaterThan(0);
    for (const fn of scheduled) {
      expect({ fn: fn.key, memoryMB: fn.memoryMB }).toEqual({ fn: fn.key, memoryMB: expect.any(Number) });
      expect(fn.memoryMB).toBeGreaterThanOrEqual(128);
      expect(fn.memoryMB).toBeLessThanOrEqual(1024);
    }
  });
});

describe('egress and Runs on Atlassian', () => {
  const manifestOf = (yaml: string) => parse(yaml) as ManifestSchema;

  it('declares no egress at all, so nothing in it costs the app the Runs on Atlassian badge', async () => {
    const { manifest } = await validateManifest(APP_ROOT);

    expect(egressOf(manifest!)).toEqual([]);
    expect(runsOnAtlassianBlockers(manifest!)).toEqual([]);
  });

  it('fails a wildcard egress entry of any kind, even one declared as analytics', () => {
    const manifest = manifestOf(`
permissions:
  external:
    images:
      - '*.atlassian.com'
    fetch:
      client:
        - address: https://*.analytics.example
          category: analytics
          inScopeEUD: false
`);

    expect(runsOnAtlassianBlockers(manifest)).toEqual([
      'permissions.external.fetch.client: https://*.analytics.example is a wildcard address',
      'permissions.external.images: *.atlassian.com is a wildcard address',
      'permissions.external.images: *.atlassian.com is egress other than analytics without end-user data',
    ]);
  });

  it('fails any egress but analytics without end-user data, and remotes; allows exactly that analytics', () => {
    const manifest = manifestOf(`
permissions:
  external:
    fetch:
      backend:
        - address: metrics.example.com
          category: analytics
          inScopeEUD: false
        - address: eud.example.com
          category: analytics
          inScopeEUD: true
        - https://backend.example.com
remotes:
  - key: remote-backend
    baseUrl: https://remote.example.com
`);

    expect(runsOnAtlassianBlockers(manifest)).toEqual([
      'permissions.external.fetch.backend: eud.example.com is egress other than analytics without end-user data',
      'permissions.external.fetch.backend: https://backend.example.com is egress other than analytics without end-user data',
      'remotes: https://remote.example.com is egress other than analytics without end-user data',
    ]);
  });
});

describe('manifest.yml and the code that depends on it', () => {
  const manifest = loadManifest(APP_ROOT);

  it('schedules the trigger at the interval the scheduler is configured for', () => {
    const scheduler = manifest.scheduledTriggers.find((t) => t.function === 'phase5-scheduler-fn');
    expect(scheduler?.interval).toBe(SCHEDULER.interval);
    expect(INTERVAL_MS[SCHEDULER.interval]).toBe(SCHEDULER.intervalMs);
  });

  it('has a consumer on the queue the scheduler pushes wake-ups to, running a function of its own', () => {
    const consumers = manifest.consumers.filter((c) => c.queue === WAKE_UP_QUEUE);

    expect(consumers).toHaveLength(1);
    expect(manifest.scheduledTriggers.map((t) => t.function)).not.toContain(consumers[0].function);
  });
});

describe('README.md', () => {
  it("states the manifest's interval, so the prose cannot drift from the schedule", () => {
    const readme = readFileSync(path.join(APP_ROOT, 'README.md'), 'utf8');
    const interval = loadManifest(APP_ROOT).scheduledTriggers[0].interval;

    expect(readme).toContain(`(\`interval: ${interval}\` in \`manifest.yml\``);
  });
});
