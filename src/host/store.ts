import { closeSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import type {
  ApiErrorInfo,
  JobInfo,
  JobState,
  StateOperation,
  StateReasonCode,
  SystemState,
} from '../api/index.js';
import type { VirtualSystemDefinition } from '../model/index.js';
import { apiErrorCodeOf } from './api/errors.js';
import { HostError } from './errors.js';
import { type JobRecord, JobTable } from './store-jobs.js';

/**
 * A system's lifecycle state in the host, in the Api's one state vocabulary: the driver's stable states plus the
 * two in-between ones the host sets while a job changes the state.
 */
export type HostVmState = Extract<SystemState, 'stopped' | 'starting' | 'running' | 'paused' | 'stopping'>;

/** One system as the store keeps it. */
export interface StoredVm {
  uuid: string;
  name: string;
  definition: VirtualSystemDefinition;
  state: HostVmState;
  reason: string;
  /** Why, for machines to compare (the Api's reason code). */
  reasonCode: StateReasonCode;
  createdAt: string;
  /** When the definition or the state last changed. */
  updatedAt: string;
  /** When the state last changed. */
  changedAt: string;
  /** The last state change asked (CIM RequestedState). */
  requested: StateOperation | undefined;
}

/** What an event row keeps beyond its columns, for the Api's events (data column, JSON). */
export interface EventData {
  reasonCode?: StateReasonCode;
  /** The job and user whose call caused it (cause `api`). */
  job?: string;
  user?: string;
  /** `device-deleted`: the device's InstanceID. */
  instanceId?: string;
  /** `job.progress`, `job.finished`: the job as it was then. */
  jobInfo?: JobInfo;
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
  data?: EventData | undefined;
}

/**
 * A long operation as the socket's `job.*` shows it (the shape of CIM_ConcreteJob): id, progress, state, result,
 * error with the domain's own code. The Api's view of the same row is {@link JobRecord}.
 */
export interface Job {
  id: string;
  kind: string;
  target: string | undefined;
  state: JobState;
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

/**
 * Schema 2 (issue 10): the Api's reason codes, state change times and requested operations on systems; a data
 * column on events (reason code, job, user, device, job snapshot); the Api's job fields (operation, owner, phase,
 * target kind and name, start time). A schema 1 database is migrated in place, in one transaction.
 */
const MIGRATE_1_TO_2 = `
ALTER TABLE vms ADD COLUMN reason_code TEXT NOT NULL DEFAULT 'unknown';
ALTER TABLE vms ADD COLUMN changed_at TEXT;
ALTER TABLE vms ADD COLUMN requested TEXT;
UPDATE vms SET changed_at = updated_at, reason_code = CASE WHEN reason = 'defined' THEN 'defined' ELSE 'unknown' END;
ALTER TABLE events ADD COLUMN data TEXT;
ALTER TABLE jobs ADD COLUMN operation TEXT NOT NULL DEFAULT 'modify';
ALTER TABLE jobs ADD COLUMN owner TEXT NOT NULL DEFAULT 'local';
ALTER TABLE jobs ADD COLUMN phase TEXT;
ALTER TABLE jobs ADD COLUMN target_kind TEXT;
ALTER TABLE jobs ADD COLUMN target_name TEXT;
ALTER TABLE jobs ADD COLUMN started_at TEXT;
ALTER TABLE jobs ADD COLUMN delete_on_completion INTEGER NOT NULL DEFAULT 0;
UPDATE jobs SET started_at = created_at,
  operation = CASE kind WHEN 'vm.start' THEN 'start' WHEN 'vm.stop' THEN 'shutdown' WHEN 'vm.powerOff' THEN 'powerOff'
    WHEN 'vm.pause' THEN 'pause' WHEN 'vm.resume' THEN 'resume' WHEN 'vm.reset' THEN 'reset'
    WHEN 'vm.export' THEN 'export' WHEN 'vm.deploy' THEN 'deploy' ELSE 'modify' END,
  target_kind = CASE WHEN target IS NULL THEN NULL WHEN kind = 'vm.deploy' THEN 'package' ELSE 'system' END;
`;
const SCHEMA_VERSION = '2';
const KEEP_EVENTS = 100_000;

/** A job error recorded by schema 1 (the domain's code) as the Api's error info. */
function migratedError(text: string): string {
  const e = JSON.parse(text) as { code: string; message: string };
  const info: ApiErrorInfo = {
    code: e.code === 'HOST_RESTARTED' ? 'CANCELLED' : apiErrorCodeOf(e.code),
    message: e.message,
    detail: { domain: 'host', code: e.code.slice(0, 64) },
  };
  return JSON.stringify(info);
}

interface VmRow {
  uuid: string;
  name: string;
  definition: string;
  state: string;
  reason: string;
  reason_code: string;
  created_at: string;
  updated_at: string;
  changed_at: string | null;
  requested: string | null;
}

function toVm(r: VmRow): StoredVm {
  return {
    uuid: r.uuid,
    name: r.name,
    definition: JSON.parse(r.definition) as VirtualSystemDefinition,
    state: r.state as HostVmState,
    reason: r.reason,
    reasonCode: r.reason_code as StateReasonCode,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    changedAt: r.changed_at ?? r.updated_at,
    requested: (r.requested ?? undefined) as StateOperation | undefined,
  };
}

/** The socket's view of a job row: the domain's own error code, as the host reported it before the Api. */
function toJob(j: JobRecord): Job {
  return {
    id: j.id,
    kind: j.kind,
    target: j.target?.id,
    state: j.state,
    progress: j.percent,
    result: j.result,
    error:
      j.error === undefined
        ? undefined
        : { code: j.error.detail?.code ?? j.error.code, message: j.error.message },
    createdAt: j.createdAt,
    finishedAt: j.finishedAt,
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
  /** The jobs, as the Api's JobInfo. */
  readonly jobs: JobTable;

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
    if (version === undefined || version === '1') this.migrate(version === undefined);
    else if (version !== SCHEMA_VERSION) {
      throw new HostError(
        'HOST_STORE',
        `The host database ${file} has schema ${version}; this Vessel knows ${SCHEMA_VERSION}`,
      );
    }
    this.jobs = new JobTable(this.db);
    this.stmts = {
      putVm: this.db.prepare(
        `INSERT INTO vms (uuid, name, definition, state, reason, reason_code, created_at, updated_at, changed_at)
         VALUES (@uuid, @name, @definition, @state, @reason, @code, @now, @now, @now)
         ON CONFLICT(uuid) DO UPDATE SET name = @name, definition = @definition, updated_at = @now`,
      ),
      setState: this.db.prepare(
        `UPDATE vms SET state = ?, reason = ?, reason_code = ?, updated_at = ?, changed_at = ? WHERE uuid = ?`,
      ),
      setRequested: this.db.prepare('UPDATE vms SET requested = ? WHERE uuid = ?'),
      deleteVm: this.db.prepare('DELETE FROM vms WHERE uuid = ?'),
      deleteMetadataKey: this.db.prepare('DELETE FROM vm_metadata WHERE uuid = ? AND key = ?'),
      deleteMetadata: this.db.prepare('DELETE FROM vm_metadata WHERE uuid = ?'),
      setMetadata: this.db.prepare(
        'INSERT INTO vm_metadata VALUES (?, ?, ?) ON CONFLICT(uuid, key) DO UPDATE SET value = excluded.value',
      ),
      getMetadata: this.db.prepare('SELECT key, value FROM vm_metadata WHERE uuid = ? ORDER BY key'),
      getVm: this.db.prepare('SELECT * FROM vms WHERE uuid = ? OR name = ?'),
      listVms: this.db.prepare('SELECT * FROM vms ORDER BY name'),
      listSummaries: this.db.prepare('SELECT uuid, name, state, reason FROM vms ORDER BY name'),
      addEvent: this.db.prepare(
        'INSERT INTO events (time, uuid, name, kind, state, reason, cause, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      events: this.db.prepare(
        `SELECT * FROM events WHERE id > ? AND (? IS NULL OR uuid = ?) AND (? OR kind NOT LIKE 'job.%')
         ORDER BY id LIMIT ?`,
      ),
      pruneEvents: this.db.prepare('DELETE FROM events WHERE id <= (SELECT MAX(id) FROM events) - ?'),
      lastEntered: this.db.prepare(
        "SELECT time FROM events WHERE uuid = ? AND kind = 'state' AND state = ? ORDER BY id DESC LIMIT 1",
      ),
    };
  }

  /** Makes a new database's tables (`fresh`) or brings a schema 1 database to schema 2, in one transaction. */
  private migrate(fresh: boolean): void {
    this.db.transaction(() => {
      this.db.exec(MIGRATE_1_TO_2);
      const failed = this.db.prepare('SELECT id, error FROM jobs WHERE error IS NOT NULL').all() as {
        id: string;
        error: string;
      }[];
      const fix = this.db.prepare('UPDATE jobs SET error = ? WHERE id = ?');
      for (const j of failed) fix.run(migratedError(j.error), j.id);
      if (fresh) this.db.prepare('INSERT INTO meta VALUES (?, ?)').run('schema', SCHEMA_VERSION);
      else this.db.prepare('UPDATE meta SET value = ? WHERE key = ?').run(SCHEMA_VERSION, 'schema');
    })();
  }

  /** Adds or replaces a definition; a new system gets `state`/`reason`, an existing one keeps its state. */
  putVm(
    uuid: string,
    def: VirtualSystemDefinition,
    state: HostVmState = 'stopped',
    reason = 'defined',
    code: StateReasonCode = reason === 'defined' ? 'defined' : 'unknown',
  ): void {
    this.stmts.putVm.run({
      uuid,
      name: def.system.ElementName ?? uuid,
      definition: JSON.stringify(def),
      state,
      reason,
      code,
      now: new Date().toISOString(),
    });
  }

  /** Sets a system's state, with the reason's text and code. */
  setState(uuid: string, state: HostVmState, reason: string, code: StateReasonCode = 'unknown'): void {
    const now = new Date().toISOString();
    this.stmts.setState.run(state, reason, code, now, now, uuid);
  }

  /** Records the state change last asked of a system. */
  setRequested(uuid: string, op: StateOperation): void {
    this.stmts.setRequested.run(op, uuid);
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

  /** Removes one metadata entry of a system (nothing when there is none). */
  deleteMetadata(uuid: string, key: string): void {
    this.stmts.deleteMetadataKey.run(uuid, key);
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
    const data = e.data === undefined ? null : JSON.stringify(e.data);
    const info = this.stmts.addEvent.run(
      e.time,
      e.uuid,
      e.name,
      e.kind,
      e.state ?? null,
      e.reason,
      e.cause,
      data,
    );
    if (++this.writes % 1000 === 0) this.stmts.pruneEvents.run(KEEP_EVENTS);
    return { ...e, id: Number(info.lastInsertRowid) };
  }

  /** When the system last entered `state` (its latest state event), or undefined when none is kept. */
  lastEntered(uuid: string, state: HostVmState): string | undefined {
    const r = this.stmts.lastEntered.get(uuid, state) as { time: string } | undefined;
    return r?.time;
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

  /**
   * Events after `afterId`, optionally of one system, oldest first; the jobs' own events (`job.*`) only with
   * `jobs` (the socket's `events.*` shows systems only).
   */
  events(options: { afterId?: number; uuid?: string; limit?: number; jobs?: boolean } = {}): HostEvent[] {
    const rows = this.stmts.events.all(
      options.afterId ?? 0,
      options.uuid ?? null,
      options.uuid ?? null,
      options.jobs === true ? 1 : 0,
      options.limit ?? 1000,
    ) as (Omit<HostEvent, 'state' | 'data'> & { state: string | null; data: string | null })[];
    return rows.map((r) => ({
      ...r,
      state: r.state ?? undefined,
      data: r.data === null ? undefined : (JSON.parse(r.data) as EventData),
    }));
  }

  /** Records a job of the host itself (owner `local`) on a system; see {@link JobTable.create} for the Api's. */
  createJob(id: string, kind: string, target: string | undefined): void {
    this.jobs.create({
      id,
      kind,
      operation: 'modify',
      ...(target === undefined ? {} : { target: { kind: 'system' as const, id: target } }),
      owner: 'local',
    });
  }

  setJobProgress(id: string, progress: number): void {
    this.jobs.progress(id, progress);
  }

  /** Ends a job with its result, or failed with an error (an Api code stays, a domain code is mapped). */
  finishJob(id: string, outcome: { result?: unknown; error?: { code: string; message: string } }): void {
    if (outcome.error === undefined) {
      this.jobs.finish(id, 'completed', outcome.result);
      return;
    }
    const { code, message } = outcome.error;
    const mapped = apiErrorCodeOf(code);
    this.jobs.finish(id, 'failed', undefined, {
      code: mapped,
      message,
      ...(mapped === code ? {} : { detail: { domain: 'host', code: code.slice(0, 64) } }),
    });
  }

  getJob(id: string): Job | undefined {
    const j = this.jobs.get(id);
    return j === undefined ? undefined : toJob(j);
  }

  listJobs(limit = 100): Job[] {
    return this.jobs.list({ limit }).map(toJob);
  }

  /** Marks jobs left running by a host that died as failed. */
  failOrphanJobs(): number {
    return this.jobs.failOrphans();
  }

  /** Copies the write-ahead log into the database and empties it (so that nothing rewritten lingers there). */
  checkpoint(): void {
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  close(): void {
    this.db.close();
  }
}
