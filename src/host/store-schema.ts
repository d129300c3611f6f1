import type Database from 'better-sqlite3';
import type { ApiErrorInfo } from '../api/index.js';
import { apiErrorCodeOf } from './api/errors.js';
import { HostError } from './errors.js';
import { etagOfText } from './etag.js';

/**
 * The store's tables and how an older database is brought to the current schema, each step in one transaction.
 */

/** The tables as schema 1 made them; the migrations add the rest, on a new database too. */
export const SCHEMA = `
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
/**
 * Schema 3: each system's etag is stored with its definition, computed when the definition is written (the digest
 * of the stored JSON text, what `etagOf` gives for the parsed definition), so that a read never hashes.
 */
const MIGRATE_2_TO_3 = `ALTER TABLE vms ADD COLUMN etag TEXT NOT NULL DEFAULT '';`;

/** The schema this Vessel writes. */
export const SCHEMA_VERSION = '3';

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

function migrate1To2(db: Database.Database): void {
  db.exec(MIGRATE_1_TO_2);
  const failed = db.prepare('SELECT id, error FROM jobs WHERE error IS NOT NULL').all() as {
    id: string;
    error: string;
  }[];
  const fix = db.prepare('UPDATE jobs SET error = ? WHERE id = ?');
  for (const j of failed) fix.run(migratedError(j.error), j.id);
}

function migrate2To3(db: Database.Database): void {
  db.exec(MIGRATE_2_TO_3);
  const rows = db.prepare('SELECT uuid, definition FROM vms').all() as { uuid: string; definition: string }[];
  const set = db.prepare('UPDATE vms SET etag = ? WHERE uuid = ?');
  for (const r of rows) set.run(etagOfText(r.definition), r.uuid);
}

/**
 * Brings the database of `file` (its schema 1 tables made already) to {@link SCHEMA_VERSION}, in one transaction:
 * a new database gets every step, an older one the steps it lacks; a newer one is refused (`HOST_STORE`).
 *
 * @example
 * db.exec(SCHEMA);
 * migrateStore(db, file);
 */
export function migrateStore(db: Database.Database, file: string): void {
  const version = (
    db.prepare('SELECT value FROM meta WHERE key = ?').get('schema') as { value: string } | undefined
  )?.value;
  if (version === SCHEMA_VERSION) return;
  if (version !== undefined && version !== '1' && version !== '2') {
    throw new HostError(
      'HOST_STORE',
      `The host database ${file} has schema ${version}; this Vessel knows ${SCHEMA_VERSION}`,
    );
  }
  db.transaction(() => {
    if (version === undefined || version === '1') migrate1To2(db);
    migrate2To3(db);
    if (version === undefined) db.prepare('INSERT INTO meta VALUES (?, ?)').run('schema', SCHEMA_VERSION);
    else db.prepare('UPDATE meta SET value = ? WHERE key = ?').run(SCHEMA_VERSION, 'schema');
  })();
}
