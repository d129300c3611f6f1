import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDefinition } from '../model/index.js';
import { etagOf } from './api/vocabulary.js';
import { Store } from './store.js';

const dir = mkdtempSync(join(tmpdir(), 'vessel-migrate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Schema 1 as Vessel wrote it before the Api (issue 10), with a system, an event and three jobs. */
function schema1(file: string): void {
  const db = new Database(file);
  db.exec(`
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE vms (uuid TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, definition TEXT NOT NULL,
  state TEXT NOT NULL, reason TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, uuid TEXT NOT NULL, name TEXT NOT NULL,
  kind TEXT NOT NULL, state TEXT, reason TEXT NOT NULL, cause TEXT NOT NULL);
CREATE INDEX events_uuid ON events (uuid, id);
CREATE TABLE jobs (id TEXT PRIMARY KEY, kind TEXT NOT NULL, target TEXT, state TEXT NOT NULL, progress INTEGER NOT NULL,
  result TEXT, error TEXT, created_at TEXT NOT NULL, finished_at TEXT);
CREATE TABLE vm_metadata (uuid TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (uuid, key));
INSERT INTO meta VALUES ('schema', '1');`);
  const def = JSON.stringify(buildDefinition({ name: 'old', cpus: 1, memoryBytes: 64n << 20n }));
  const t = '2026-01-01T00:00:00.000Z';
  db.prepare('INSERT INTO vms VALUES (?, ?, ?, ?, ?, ?, ?)').run(
    'u1',
    'old',
    def,
    'stopped',
    'defined',
    t,
    t,
  );
  db.prepare(
    'INSERT INTO events (time, uuid, name, kind, state, reason, cause) VALUES (?, ?, ?, ?, ?, ?, ?)',
  ).run(t, 'u1', 'old', 'state', 'stopped', 'powered off', 'api');
  const job = db.prepare('INSERT INTO jobs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
  job.run('j1', 'vm.start', 'u1', 'completed', 100, '{"state":"running"}', null, t, t);
  job.run(
    'j2',
    'vm.stop',
    'u1',
    'failed',
    0,
    null,
    '{"code":"INVALID_STATE","message":"it is stopped"}',
    t,
    t,
  );
  job.run('j3', 'vm.deploy', 'pkg.ova', 'failed', 40, null, '{"code":"DEPLOY_EULA","message":"no"}', t, t);
  db.close();
}

describe('Store schema 1 -> 2 -> 3', () => {
  it('keeps systems, events and jobs, in the Api vocabulary', () => {
    const file = join(dir, 'v1.db');
    schema1(file);
    const s = new Store(file);
    expect(s.getVm('old')).toMatchObject({
      uuid: 'u1',
      reasonCode: 'defined',
      changedAt: '2026-01-01T00:00:00.000Z',
    });
    expect(s.events({ uuid: 'u1' })).toMatchObject([
      { kind: 'state', reason: 'powered off', data: undefined },
    ]);
    expect(s.jobs.get('j1')).toMatchObject({
      operation: 'start',
      owner: 'local',
      target: { kind: 'system', id: 'u1' },
    });
    expect(s.jobs.get('j2')).toMatchObject({ operation: 'shutdown', error: { code: 'INVALID_STATE' } });
    expect(s.jobs.get('j3')).toMatchObject({
      operation: 'deploy',
      target: { kind: 'package', id: 'pkg.ova' },
      error: { code: 'DEPLOY_EULA', message: 'no' },
    });
    // The socket's view still shows the domain's code.
    expect(s.getJob('j3')).toMatchObject({ state: 'failed', error: { code: 'DEPLOY_EULA' }, progress: 40 });
    // Schema 3: the etag is stored, the digest of the definition as the Api gave it before.
    const old = s.getVm('u1')!;
    expect(old.etag).toBe(etagOf(old.definition));
    expect(old.etag).toBe(etagOf(buildDefinition({ name: 'old', cpus: 1, memoryBytes: 64n << 20n })));
    s.close();
    const again = new Store(file); // schema 3 now: opened as it is
    expect(
      again.jobs
        .list()
        .map((j) => j.id)
        .sort(),
    ).toEqual(['j1', 'j2', 'j3']);
    again.close();
  });
});

describe('Store schema 2 -> 3', () => {
  it('stores the etag of every system that a schema 2 database holds', () => {
    const file = join(dir, 'v2.db');
    new Store(file).close();
    // Back to schema 2 as it was: no etag column.
    const db = new Database(file);
    db.exec("ALTER TABLE vms DROP COLUMN etag; UPDATE meta SET value = '2' WHERE key = 'schema'");
    const def = buildDefinition({ name: 'two', cpus: 2, memoryBytes: 128n << 20n });
    const t = '2026-06-01T00:00:00.000Z';
    db.prepare(
      `INSERT INTO vms (uuid, name, definition, state, reason, reason_code, created_at, updated_at, changed_at)
       VALUES (?, ?, ?, 'stopped', 'defined', 'defined', ?, ?, ?)`,
    ).run('u2', 'two', JSON.stringify(def), t, t, t);
    db.close();
    const s = new Store(file);
    expect(s.getVm('two')).toMatchObject({ uuid: 'u2', etag: etagOf(def), definition: def });
    s.close();
    const raw = new Database(file);
    expect(raw.prepare("SELECT value FROM meta WHERE key = 'schema'").get()).toEqual({ value: '3' });
    raw.close();
  });
});
