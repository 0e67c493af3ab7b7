import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PendingDelivery } from '../../../local/events/emulator';
import {
  inspectWorldFile,
  nextTickAfter,
  SavedWorld,
  WorldFile,
  WorldFileError,
} from '../../../local/runtime/world_file';
import { openSqlite } from '../../../local/sqlite';

/** The installation a --kvs-file keeps, and the claim that keeps two tools from running it at once. */

const fileIn = () => path.join(mkdtempSync(path.join(os.tmpdir(), 'phase5-world-')), 'world.db');

const world: SavedWorld = {
  installation: { installationId: 'inst-1', cloudId: 'cloud-1', siteAri: 'ari:cloud:jira::site/cloud-1' },
  site: 'small',
  seed: 1,
  offsetMs: 94_000,
  installEventAt: Date.parse('2026-11-02T09:00:00.000Z'),
  now: Date.parse('2026-11-02T22:00:00.000Z'),
};

/** A process id that no longer runs: a child that has already exited. */
const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid!;

function writeHolder(file: string, pid: number): void {
  const db = openSqlite(file);
  db.prepare("INSERT OR REPLACE INTO local_world (key, value) VALUES ('holder', ?)").run(
    JSON.stringify({ pid, command: 'npm run dev' }),
  );
  db.close();
}

/** A wake-up pushed for the installation and not yet delivered, as the async events emulator holds it. */
const waiting: PendingDelivery = {
  at: world.now + 3_600_000 + 240_000,
  scheduledAt: world.now + 3_600_000 + 240_000,
  enqueuedAt: world.now + 3_600_000 - 660_000,
  installationId: 'inst-1',
  queueName: 'phase5-wake-up',
  jobId: 'job-1',
  eventId: 'event-1',
  event: { body: { cloudId: 'cloud-1' }, delayInSeconds: 900 },
  chain: 'chain-1',
  retryCount: 0,
  duplicate: false,
};

describe('WorldFile', () => {
  it('gives the next opener the installation, the clock and the wake-ups still to come, as last saved', () => {
    const file = fileIn();
    const a = WorldFile.open(file, 'npm start');
    a.save(world);
    expect(a.loadPendingEvents()).toEqual([]);
    a.saveProgress(world.now + 3_600_000, [waiting]);
    a.close();

    const b = WorldFile.open(file, 'npm run dev');
    expect(b.load()).toEqual({ ...world, now: world.now + 3_600_000 });
    expect(b.loadPendingEvents()).toEqual([waiting]);
    b.saveProgress(world.now + 7_200_000, []);
    expect(b.loadPendingEvents()).toEqual([]);
    b.close();
  });

  it('refuses a claim while another live process holds the file, and takes over from one that is gone', () => {
    const file = fileIn();
    WorldFile.open(file).close();
    writeHolder(file, process.ppid);
    expect(() => WorldFile.open(file, 'npm start')).toThrow(
      new WorldFileError(
        `is in use by npm run dev (process ${process.ppid}); stop it (Ctrl-C) before using the file here`,
      ),
    );

    writeHolder(file, deadPid());
    const taken = WorldFile.open(file, 'npm start');
    expect(taken.heldBy()).toBeUndefined();
    taken.close();
  });

  it('releases its claim on close, so the next tool may open it', () => {
    const file = fileIn();
    const first = WorldFile.open(file, 'npm run dev');
    first.close();
    const reader = WorldFile.open(file);
    expect(reader.heldBy()).toBeUndefined();
    reader.close();
  });

  it('reports a damaged installation record instead of running a half-known installation', () => {
    const file = fileIn();
    WorldFile.open(file).close();
    const db = openSqlite(file);
    db.prepare("INSERT INTO local_world (key, value) VALUES ('installation', ?)").run('{"site":"small"}');
    db.close();

    const wf = WorldFile.open(file);
    expect(() => wf.load()).toThrow(/holds a damaged installation record/);
    wf.close();
  });

  it('reports a damaged list of waiting wake-ups before a run starts, instead of losing them', () => {
    const file = fileIn();
    const wf = WorldFile.open(file);
    wf.save(world);
    wf.close();
    const db = openSqlite(file);
    db.prepare("INSERT INTO local_world (key, value) VALUES ('pending-events', ?)").run('[{"at":"soon"}]');
    db.close();

    expect(() => inspectWorldFile(file)).toThrow(/holds a damaged list of waiting wake-up events/);
  });
});

describe('nextTickAfter', () => {
  const grid = { installEventAt: 0, offsetMs: 94_000 };
  const interval = 300_000;

  it('is the first tick strictly after the given time, on the offset grid', () => {
    expect(nextTickAfter(grid, interval, 0)).toBe(94_000);
    expect(nextTickAfter(grid, interval, 94_000)).toBe(394_000);
    expect(nextTickAfter(grid, interval, 13 * 3_600_000)).toBe(13 * 3_600_000 + 94_000);
  });
});
