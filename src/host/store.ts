import { closeSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { JobInfo, JobState, StateOperation, StateReasonCode, SystemState } from '../api/index.js';
import type { VirtualSystemDefinition } from '../model/index.js';
import { apiErrorCodeOf } from './api/errors.js';
import { HostError } from './errors.js';
import { etagOfText } from './etag.js';
import { type JobRecord, JobTable } from './store-jobs.js';
import { OwnedImageTable } from './store-owned.js';
import { migrateStore, SCHEMA } from './store-schema.js';

/**
 * A system's lifecycle state in the host, in the Api's one state vocabulary: the driver's stable states plus the
 * two in-between ones the host sets while a job changes the state.
 */
export type HostVmState = Extract<SystemState, 'stopped' | 'starting' | 'running' | 'paused' | 'stopping'>;

/**
 * One system as the store keeps it. Each read gives the reader its own object; the definition is parsed from the
 * row's JSON on first use (a reader that wants the state or the etag never parses it).
 */
export interface StoredVm {
  uuid: string;
  name: string;
  definition: VirtualSystemDefinition;
  /** The definition's etag, stored with it when it was written: it changes exactly when the definition does. */
  etag: string;
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

const KEEP_EVENTS = 100_000;

interface VmRow {
  uuid: string;
  name: string;
  definition: string;
  etag: string;
  state: string;
  reason: string;
  reason_code: string;
  created_at: string;
  updated_at: string;
  changed_at: string | null;
  requested: string | null;
}

/** The most rows {@link Store} keeps read (a few hundred kilobytes of definitions). */
const ROW_CACHE_MAX = 256;

/**
 * A row as a {@link StoredVm}. The definition is a prototype accessor, parsed on first read: an object literal with
 * accessors of its own costs microseconds to make, and most reads never look at the definition. `toJSON` writes
 * it, as a plain object would.
 */
class StoredRow implements StoredVm {
  uuid: string;
  name: string;
  etag: string;
  state: HostVmState;
  reason: string;
  reasonCode: StateReasonCode;
  createdAt: string;
  updatedAt: string;
  changedAt: string;
  requested: StateOperation | undefined;
  #json: string;
  #definition: VirtualSystemDefinition | undefined;
  constructor(r: VmRow) {
    this.uuid = r.uuid;
    this.name = r.name;
    this.etag = r.etag;
    this.state = r.state as HostVmState;
    this.reason = r.reason;
    this.reasonCode = r.reason_code as StateReasonCode;
    this.createdAt = r.created_at;
    this.updatedAt = r.updated_at;
    this.changedAt = r.changed_at ?? r.updated_at;
    this.requested = (r.requested ?? undefined) as StateOperation | undefined;
    this.#json = r.definition;
  }
  get definition(): VirtualSystemDefinition {
    this.#definition ??= JSON.parse(this.#json) as VirtualSystemDefinition;
    return this.#definition;
  }
  set definition(d: VirtualSystemDefinition) {
    this.#definition = d;
  }
  toJSON(): StoredVm {
    return { ...this, definition: this.definition };
  }
  /** The definition's JSON text: the stored text while nobody has read (and so could have changed) it. */
  definitionText(): string {
    return this.#definition === undefined ? this.#json : JSON.stringify(this.#definition);
  }
  /** The stored text while the definition is unread, else undefined. */
  unreadText(): string | undefined {
    return this.#definition === undefined ? this.#json : undefined;
  }
}

/**
 * The JSON text of a system's definition, the text `JSON.stringify(v.definition)` gives: a stored row's own when
 * its definition was never read (no parse, no write).
 *
 * @example
 * definitionTextOf(host.store.getVm('web1')); // '{"system":{...},"resources":[...]}'
 */
export function definitionTextOf(v: StoredVm): string {
  return v instanceof StoredRow ? v.definitionText() : JSON.stringify(v.definition);
}

/**
 * A stored row's definition text as stored, when nobody has read the definition (so it is what the row holds);
 * undefined for any other StoredVm: a cheap look at the text before a parse.
 *
 * @example
 * unreadDefinitionText(host.store.getVm('web1'))?.includes('"DiskMode"');
 */
export function unreadDefinitionText(v: StoredVm): string | undefined {
  return v instanceof StoredRow ? v.unreadText() : undefined;
}

function toVm(r: VmRow): StoredVm {
  return new StoredRow(r);
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
  /**
   * Rows read lately, by UUID, and the UUID of each name: a host is its database's only writer, and every write
   * of a system's row below forgets it, so a read (CIM GetInstance, REST GET) need not ask SQLite again. Rows are
   * immutable text; each read still makes its own StoredVm. Kept small: cleared when it grows past
   * {@link ROW_CACHE_MAX}; filled only outside transactions, so that a rolled-back write is never remembered.
   */
  private readonly rowCache = new Map<string, VmRow>();
  private readonly uuidOfName = new Map<string, string>();
  /** The jobs, as the Api's JobInfo. */
  readonly jobs: JobTable;
  /** The images the host created for systems (new empty disks). */
  readonly ownedImages: OwnedImageTable;

  constructor(file: string) {
    try {
      // Created 0600 before SQLite opens it: SQLite gives the -wal and -shm files the database's mode.
      closeSync(openSync(file, 'a', 0o600));
      this.db = new Database(file);
      // Deleted and rewritten values are overwritten on disk, not left in free pages.
      this.db.pragma('secure_delete = ON');
      this.db.pragma('journal_mode = WAL');
      // NORMAL: a commit reaches the disk at the next checkpoint (a power loss may undo the last ones, never
      // corrupt); VESSEL_STORE_SYNC=full syncs every commit, for hosts that are powered off hard (the host image).
      this.db.pragma(`synchronous = ${process.env.VESSEL_STORE_SYNC === 'full' ? 'FULL' : 'NORMAL'}`);
      this.db.pragma('busy_timeout = 5000');
      this.db.exec(SCHEMA);
    } catch (e) {
      throw new HostError('HOST_STORE', `Cannot open the host database ${file}: ${(e as Error).message}`, {
        cause: e,
      });
    }
    migrateStore(this.db, file);
    this.jobs = new JobTable(this.db);
    this.ownedImages = new OwnedImageTable(this.db);
    this.stmts = {
      putVm: this.db.prepare(
        `INSERT INTO vms (uuid, name, definition, etag, state, reason, reason_code, created_at, updated_at, changed_at)
         VALUES (@uuid, @name, @definition, @etag, @state, @reason, @code, @now, @now, @now)
         ON CONFLICT(uuid) DO UPDATE SET name = @name, definition = @definition, etag = @etag, updated_at = @now`,
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
      listVmsMentioning: this.db.prepare('SELECT * FROM vms WHERE instr(definition, ?) > 0 ORDER BY name'),
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

  /** Adds or replaces a definition (with its etag); a new system gets `state`/`reason`, an existing one keeps its state. */
  putVm(
    uuid: string,
    def: VirtualSystemDefinition,
    state: HostVmState = 'stopped',
    reason = 'defined',
    code: StateReasonCode = reason === 'defined' ? 'defined' : 'unknown',
  ): void {
    const definition = JSON.stringify(def);
    this.forgetRows();
    this.stmts.putVm.run({
      uuid,
      name: def.system.ElementName ?? uuid,
      definition,
      etag: etagOfText(definition),
      state,
      reason,
      code,
      now: new Date().toISOString(),
    });
  }

  /** Sets a system's state, with the reason's text and code. */
  setState(uuid: string, state: HostVmState, reason: string, code: StateReasonCode = 'unknown'): void {
    const now = new Date().toISOString();
    this.rowCache.delete(uuid);
    this.stmts.setState.run(state, reason, code, now, now, uuid);
  }

  /** Records the state change last asked of a system. */
  setRequested(uuid: string, op: StateOperation): void {
    this.rowCache.delete(uuid);
    this.stmts.setRequested.run(op, uuid);
  }

  /** Removes a system and its metadata, in one transaction. */
  deleteVm(uuid: string): void {
    this.forgetRows();
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
    const byUuid = uuidOrName.toLowerCase();
    const cached = this.rowCache.get(byUuid) ?? this.rowCache.get(this.uuidOfName.get(uuidOrName) ?? '');
    if (cached !== undefined) return toVm(cached);
    const r = this.stmts.getVm.get(byUuid, uuidOrName) as VmRow | undefined;
    if (r === undefined) return undefined;
    if (!this.db.inTransaction) {
      if (this.rowCache.size >= ROW_CACHE_MAX) this.forgetRows();
      this.rowCache.set(r.uuid, r);
      this.uuidOfName.set(r.name, r.uuid);
    }
    return toVm(r);
  }

  private forgetRows(): void {
    this.rowCache.clear();
    this.uuidOfName.clear();
  }

  listVms(): StoredVm[] {
    return (this.stmts.listVms.all() as VmRow[]).map(toVm);
  }

  /**
   * The systems whose stored definition text contains `text` (SQLite looks; no row becomes an object unless it
   * does), e.g. the only ones that can name a property.
   */
  listVmsMentioning(text: string): StoredVm[] {
    return (this.stmts.listVmsMentioning.all(text) as VmRow[]).map(toVm);
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
