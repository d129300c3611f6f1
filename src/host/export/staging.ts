import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, rmdirSync, rmSync, unlinkSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Where an export writes before its package is in place, and how what an interrupted export left is found again.
 *
 * Every file an export writes beside its output (the OVA being written, the files of an OVF folder) is named
 * `.vessel-export-TAG-...`, TAG being unique to the export, and renamed into place at the very end. The export
 * records itself first in the host's private `STATE/export-tmp/TAG/` (the owner's pid and the folder its
 * temporary files go to), where it also keeps the descriptor it packs. When the export ends, both go. When the
 * host dies mid-export, the next host start and the next export remove them, unless the process that owns them
 * is alive. Removal only ever unlinks entries whose names start with the unique prefix (and rmdirs an output
 * folder the export created, once empty): even if the folder is swapped for a link, nothing else is deleted.
 */

/** What every temporary name an export gives beside its output starts with. */
export const EXPORT_TEMP_PREFIX = '.vessel-export-';

const OWNER_FILE = 'owner.pid';
const RECORD_FILE = 'output.json';

/** Exports of this process still running: their records are not leftovers. */
const active = new Set<string>();

/** One export's temporary places. */
export interface ExportStaging {
  tag: string;
  /** `STATE/export-tmp/TAG`: private, removed with everything in it. */
  record: string;
  /** A private folder for the descriptor that is packed (inside `record`). */
  work: string;
  /** The folder beside the output where the temporary files go. */
  outDir: string;
  /** The prefix of every temporary name in `outDir`. */
  prefix: string;
  /** True when the export created `outDir` (removed again when the export fails). */
  createdOutDir: boolean;
}

/** The root of the export records of a state directory. */
export function exportTempRoot(stateDir: string): string {
  return join(stateDir, 'export-tmp');
}

function liveOtherProcess(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Records an export (before any file is written beside its output) and returns its temporary places. `job`
 * names it; `outDir` is where its temporary files go, created when missing.
 */
export async function createExportStaging(
  stateDir: string,
  job: string,
  outDir: string,
): Promise<ExportStaging> {
  const tag = `${job.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40)}-${randomBytes(4).toString('hex')}`;
  const record = join(exportTempRoot(stateDir), tag);
  await mkdir(exportTempRoot(stateDir), { recursive: true, mode: 0o700 });
  await mkdir(record, { mode: 0o700 });
  active.add(tag);
  const prefix = `${EXPORT_TEMP_PREFIX}${tag}-`;
  const createdOutDir = !existsSync(outDir);
  await writeFile(join(record, OWNER_FILE), `${process.pid}\n`, { mode: 0o600 });
  await writeFile(join(record, RECORD_FILE), JSON.stringify({ outDir, prefix, createdOutDir }), {
    mode: 0o600,
  });
  await mkdir(outDir, { recursive: true });
  const work = join(record, 'package');
  await mkdir(work, { mode: 0o700 });
  return { tag, record, work, outDir, prefix, createdOutDir };
}

/**
 * Removes the temporary files an export left in `outDir` (entries named `prefix...`, and the names the OVA
 * writer derives from them, `.PREFIX....partial`), and `outDir` itself when the export created it and it is
 * empty. Returns the paths removed.
 */
function removeTemporaries(outDir: string, prefix: string, createdOutDir: boolean): string[] {
  const removed: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(outDir);
  } catch {
    return removed;
  }
  for (const e of entries) {
    if (!e.startsWith(prefix) && !e.startsWith(`.${prefix}`)) continue;
    const p = join(outDir, e);
    try {
      if (lstatSync(p).isDirectory()) continue; // never one of ours
      unlinkSync(p);
      removed.push(p);
    } catch {
      // gone already
    }
  }
  if (createdOutDir) {
    try {
      rmdirSync(outDir); // only when empty
      removed.push(outDir);
    } catch {
      // not empty, or not ours any more
    }
  }
  return removed;
}

/** Ends an export: its record and work folder go, and what is left of its temporary files beside the output. */
export function finishExportStaging(s: ExportStaging, failed: boolean): void {
  try {
    removeTemporaries(s.outDir, s.prefix, failed && s.createdOutDir);
    rmSync(s.record, { recursive: true, force: true });
  } finally {
    active.delete(s.tag);
  }
}

/**
 * Removes what interrupted exports left: for each record under `STATE/export-tmp/` whose export is not running
 * (its owner is not alive, and it is not one of this process's), the temporary files beside its output, then the
 * record. Returns the paths removed. Called when the host opens and before each export.
 */
export function cleanupExports(stateDir: string): string[] {
  const root = exportTempRoot(stateDir);
  if (!existsSync(root)) return [];
  const removed: string[] = [];
  for (const tag of readdirSync(root)) {
    if (active.has(tag)) continue;
    const dir = join(root, tag);
    let pid = Number.NaN;
    try {
      pid = Number.parseInt(readFileSync(join(dir, OWNER_FILE), 'utf8'), 10);
    } catch {
      // no owner: a record cut short by a crash
    }
    if (liveOtherProcess(pid)) continue;
    try {
      const r = JSON.parse(readFileSync(join(dir, RECORD_FILE), 'utf8')) as Record<string, unknown>;
      const prefix = r.prefix;
      if (typeof r.outDir === 'string' && typeof prefix === 'string' && prefix.startsWith(EXPORT_TEMP_PREFIX))
        removed.push(...removeTemporaries(r.outDir, prefix, r.createdOutDir === true));
    } catch {
      // no record of the output: nothing was written beside it yet
    }
    rmSync(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}
