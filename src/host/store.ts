import { closeSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { VirtualSystemDefinition } from '../model/index.js';
import { HostError } from './errors.js';

/** A system's lifecycle state in the host: the driver's stable states plus the two in-between ones. */
export type HostVmState = 'stopped' | 'starting' | 'running' | 'paused' | 'stopping';

/** One system as the store keeps it. */
export interface StoredVm {
  uuid: string;
  name: string;
  definition: VirtualSystemDefinition;
  state: HostVmState;
  reason: string;
  createdAt: string;
  updatedAt: string;
}

/** A recorded state change or other happening, with time and cause. */
export interface HostEvent {
  id: number;
  time: string;
  uuid: string;
  name: string;
  kind: string;
  state: string | undefined;
  reason: string;
  cause: string;
}

/** A long operation (the shape of CIM_ConcreteJob): id, progress, state, result, error. */
export interface Job {
  id: string;
  kind: string;
  target: string | undefined;
  state: 'running' | 'completed' | 'failed';
  progress: number;
  result: unknown;
  error: { code: string; message: string } | undefined;
  createdAt: string;
  finishedAt: string | undefined;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS vms (
  uuid TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, definition TEXT NOT NULL,
  state TEXT NOT NULL, reason TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, uuid TEXT NOT NULL, name TEXT NOT NULL,
  kind TEXT NOT NULL, state TEXT, reason TEXT NOT NULL, cause TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_uuid ON events (uuid, id);
CREATE TABLE IF NOT EXISTS jobs (
  id TEXT PRIMARY KEY, kind TEXT NOT NULL, target TEXT, state TEXT NOT NULL, progress INTEGER NOT NULL,
  result TEXT, error TEXT, created_at TEXT NOT NULL, finished_at TEXT);
CREATE TABLE IF NOT EXISTS vm_metadata (
  uuid TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (uuid, key));
`;
const SCHEMA_VERSION = '1';
const KEEP_EVENTS = 100_000;
const KEEP_JOBS = 10_000;

interface VmRow {
  uuid: string;
  name: string;
  definition: string;
  state: string;
  reason: string;
  created_at: string;
  updated_at: string;
}

function toVm(r: VmRow): StoredVm {
  return {
    uuid: r.uuid,
    name: r.name,
    definition: JSON.parse(r.definition) as VirtualSystemDefinition,
    state: r.state as HostVmState,
    reason: r.reason,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/**
 * The host's inventory in SQLite (better-sqlite3, WAL): definitions, states with their reason, events and jobs.
 * Every write is one transaction, so a host killed at any moment leaves a consistent store.
 *
 * @example
 * const store = new Store('/var/lib/vessel/vessel.db');
 * store.putVm(uuid, def, 'stopped', 'defined');
 */
export class Store {
  private readonly db: Database.Database;
  private readonly stmts;
  private writes = 0;

  constructor(file: string) {
    try {
      // Created 0600 before SQLite opens it: SQLite gives the -wal and -shm files the database's mode.
      closeSync(openSync(file, 'a', 0o600));
      this.db = new Database(file);
      // Deleted and rewritten values are overwritten on disk, not left in free pages.
      this.db.pragma('secure_delete = ON');
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('busy_timeout = 5000');
      this.db.exec(SCHEMA);
    } catch (e) {
      throw new HostError('HOST_STORE', `Cannot open the host database ${file}: ${(e as Error).message}`, {
        cause: e,
      });
    }
    const version = (
      this.db.prepare('SELECT value FROM meta WHERE key = ?').get('schema') as { value: string } | undefined
    )?.value;
    if (version === undefined)
      this.db.prepare('INSERT INTO meta VALUES (?, ?)').run('schema', SCHEMA_VERSION);
    else if (version !== SCHEMA_VERSION) {
      throw new HostError(
        'HOST_STORE',
        `The host database ${file} has schema ${version}; this Vessel knows ${SCHEMA_VERSION}`,
      );
    }
    this.stmts = {
      putVm: this.db.prepare(
        `INSERT INTO vms VALUES (@uuid, @name, @definition, @state, @reason, @now, @now)
         ON CONFLICT(uuid) DO UPDATE SET name = @name, definition = @definition, updated_at = @now`,
      ),
      setState: this.db.prepare('UPDATE vms SET state = ?, reason = ?, updated_at = ? WHERE uuid = ?'),
      deleteVm: this.db.prepare('DELETE FROM vms WHERE uuid = ?'),
      deleteMetadata: this.db.prepare('DELETE FROM vm_metadata WHERE uuid = ?'),
      setMetadata: this.db.prepare(
        'INSERT INTO vm_metadata VALUES (?, ?, ?) ON CONFLICT(uuid, key) DO UPDATE SET value = excluded.value',
      ),
      getMetadata: this.db.prepare('SELECT key, value FROM vm_metadata WHERE uuid = ? ORDER BY key'),
      getVm: this.db.prepare('SELECT * FROM vms WHERE uuid = ? OR name = ?'),
      listVms: this.db.prepare('SELECT * FROM vms ORDER BY name'),
      listSummaries: this.db.prepare('SELECT uuid, name, state, reason FROM vms ORDER BY name'),
      addEvent: this.db.prepare(
        'INSERT INTO events (time, uuid, name, kind, state, reason, cause) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      events: this.db.prepare(
        'SELECT * FROM events WHERE id > ? AND (? IS NULL OR uuid = ?) ORDER BY id LIMIT ?',
      ),
      pruneEvents: this.db.prepare('DELETE FROM events WHERE id <= (SELECT MAX(id) FROM events) - ?'),
      addJob: this.db.prepare("INSERT INTO jobs VALUES (?, ?, ?, 'running', 0, NULL, NULL, ?, NULL)"),
      finishJob: this.db.prepare(
        'UPDATE jobs SET state = ?, progress = 100, result = ?, error = ?, finished_at = ? WHERE id = ?',
      ),
      progressJob: this.db.prepare('UPDATE jobs SET progress = ? WHERE id = ?'),
      getJob: this.db.prepare('SELECT * FROM jobs WHERE id = ?'),
      listJobs: this.db.prepare('SELECT * FROM jobs ORDER BY created_at DESC, rowid DESC LIMIT ?'),
      pruneJobs: this.db.prepare(
        "DELETE FROM jobs WHERE state != 'running' AND rowid <= (SELECT MAX(rowid) FROM jobs) - ?",
      ),
    };
  }

  /** Adds or replaces a definition; a new system gets `state`/`reason`, an existing one keeps its state. */
  putVm(
    uuid: string,
    def: VirtualSystemDefinition,
    state: HostVmState = 'stopped',
    reason = 'defined',
  ): void {
    this.stmts.putVm.run({
      uuid,
      name: def.system.ElementName ?? uuid,
      definition: JSON.stringify(def),
      state,
      reason,
      now: new Date().toISOString(),
    });
  }

  setState(uuid: string, state: HostVmState, reason: string): void {
    this.stmts.setState.run(state, reason, new Date().toISOString(), uuid);
  }

  /** Removes a system and its metadata, in one transaction. */
  deleteVm(uuid: string): void {
    this.db.transaction(() => {
      this.stmts.deleteVm.run(uuid);
      this.stmts.deleteMetadata.run(uuid);
    })();
  }

  /**
   * Adds new systems with their metadata in one transaction: either all of them are stored or none (a deploy of
   * a VirtualSystemCollection registers every system at once, so a crash never leaves half of it).
   */
  putVmsWithMetadata(
    entries: readonly { uuid: string; def: VirtualSystemDefinition; metadata: Record<string, string> }[],
  ): void {
    this.db.transaction(() => {
      for (const e of entries) {
        this.putVm(e.uuid, e.def);
        for (const [k, v] of Object.entries(e.metadata)) this.stmts.setMetadata.run(e.uuid, k, v);
      }
    })();
  }

  /** Sets one metadata entry of a system (free-form key/value text kept beside its definition). */
  setMetadata(uuid: string, key: string, value: string): void {
    this.stmts.setMetadata.run(uuid, key, value);
  }

  /** Every metadata entry of a system, by key. */
  getMetadata(uuid: string): Record<string, string> {
    const rows = this.stmts.getMetadata.all(uuid) as { key: string; value: string }[];
    return Object.fromEntries(rows.map((r) => [r.key, r.value]));
  }

  getVm(uuidOrName: string): StoredVm | undefined {
    const r = this.stmts.getVm.get(uuidOrName.toLowerCase(), uuidOrName) as VmRow | undefined;
    return r === undefined ? undefined : toVm(r);
  }

  listVms(): StoredVm[] {
    return (this.stmts.listVms.all() as VmRow[]).map(toVm);
  }

  /** Records an event and returns it with its id. */
  addEvent(e: Omit<HostEvent, 'id'>): HostEvent {
    const info = this.stmts.addEvent.run(e.time, e.uuid, e.name, e.kind, e.state ?? null, e.reason, e.cause);
    if (++this.writes % 1000 === 0) this.stmts.pruneEvents.run(KEEP_EVENTS);
    return { ...e, id: Number(info.lastInsertRowid) };
  }

  /** Name, UUID, state and reason of every system, without reading the definitions. */
  listSummaries(): { uuid: string; name: string; state: HostVmState; reason: string }[] {
    return this.stmts.listSummaries.all() as {
      uuid: string;
      name: string;
      state: HostVmState;
      reason: string;
    }[];
  }

  /** Events after `afterId`, optionally of one system, oldest first. */
  events(options: { afterId?: number; uuid?: string; limit?: number } = {}): HostEvent[] {
    const rows = this.stmts.events.all(
      options.afterId ?? 0,
      options.uuid ?? null,
      options.uuid ?? null,
      options.limit ?? 1000,
    ) as (Omit<HostEvent, 'state'> & { state: string | null })[];
    return rows.map((r) => ({ ...r, state: r.state ?? undefined }));
  }

  createJob(id: string, kind: string, target: string | undefined): void {
    this.stmts.addJob.run(id, kind, target ?? null, new Date().toISOString());
    if (++this.writes % 1000 === 0) this.stmts.pruneJobs.run(KEEP_JOBS);
  }

  setJobProgress(id: string, progress: number): void {
    this.stmts.progressJob.run(Math.max(0, Math.min(100, Math.round(progress))), id);
  }

  finishJob(id: string, outcome: { result?: unknown; error?: { code: string; message: string } }): void {
    this.stmts.finishJob.run(
      outcome.error === undefined ? 'completed' : 'failed',
      outcome.result === undefined ? null : JSON.stringify(outcome.result),
      outcome.error === undefined ? null : JSON.stringify(outcome.error),
      new Date().toISOString(),
      id,
    );
  }

  getJob(id: string): Job | undefined {
    const r = this.stmts.getJob.get(id) as JobRow | undefined;
    return r === undefined ? undefined : toJob(r);
  }

  listJobs(limit = 100): Job[] {
    return (this.stmts.listJobs.all(limit) as JobRow[]).map(toJob);
  }

  /** Marks jobs left running by a host that died as failed. */
  failOrphanJobs(): number {
    return this.db
      .prepare("UPDATE jobs SET state = 'failed', error = ?, finished_at = ? WHERE state = 'running'")
      .run(
        JSON.stringify({ code: 'HOST_RESTARTED', message: 'The host stopped while the job ran' }),
        new Date().toISOString(),
      ).changes;
  }

  /** Copies the write-ahead log into the database and empties it (so that nothing rewritten lingers there). */
  checkpoint(): void {
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  close(): void {
    this.db.close();
  }
}

interface JobRow {
  id: string;
  kind: string;
  target: string | null;
  state: string;
  progress: number;
  result: string | null;
  error: string | null;
  created_at: string;
  finished_at: string | null;
}

function toJob(r: JobRow): Job {
  return {
    id: r.id,
    kind: r.kind,
    target: r.target ?? undefined,
    state: r.state as Job['state'],
    progress: r.progress,
    result: r.result === null ? undefined : JSON.parse(r.result),
    error: r.error === null ? undefined : (JSON.parse(r.error) as Job['error']),
    createdAt: r.created_at,
    finishedAt: r.finished_at ?? undefined,
  };
}
