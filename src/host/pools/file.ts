import {
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { HostError } from '../errors.js';

/**
 * The pools file: `STATE/pools.json`, the storage pools of a host as `{"version": 1, "pools": [{"name", "path",
 * "allowDevices"}]}`. A JSON file (like users.json) rather than a table in vessel.db: it is configuration an
 * administrator may read and back up by itself, it changes rarely, and only the host process writes it (through
 * `vessel pool add|remove` on its socket). It is written atomically (a new file created exclusively with mode
 * 0600, synced, renamed over the old one) and read with every field checked, so a damaged or hand-edited file
 * stops the host with an error naming the file rather than widening what admins may name.
 */

/** One storage pool: a named host folder that admins' images must lie in. */
export interface StoragePool {
  /** 1 to 64 letters, digits, `.`, `_`, `-`; starts with a letter or digit. */
  name: string;
  /** The folder's real path (symlinks resolved when the pool was added). */
  path: string;
  /** Whether block devices in the folder may be used as images (off unless asked for). */
  allowDevices: boolean;
}

/** The file name of the pools file in a state directory. */
export const POOLS_FILE = 'pools.json';

/** The longest pools file read (a pool is ~100 bytes; this holds thousands). */
export const MAX_POOLS_FILE_BYTES = 1 << 20;

/** A well-formed pool name: safe in a CIM InstanceID, a file name and a shell. */
export const POOL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The longest pool folder path accepted (PATH_MAX). */
export const MAX_POOL_PATH = 4096;

/** Checks the shape of one pool entry, saying which one and what is wrong. */
function poolEntry(v: unknown, where: string): StoragePool {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${where} is not an object`);
  const e = v as Record<string, unknown>;
  const unknown = Object.keys(e).filter((k) => !['name', 'path', 'allowDevices'].includes(k));
  if (unknown.length > 0) throw new Error(`${where} has unknown fields: ${unknown.join(', ')}`);
  if (typeof e.name !== 'string' || !POOL_NAME.test(e.name))
    throw new Error(`${where}.name is not a pool name`);
  if (
    typeof e.path !== 'string' ||
    !isAbsolute(e.path) ||
    e.path.includes('\0') ||
    e.path.length > MAX_POOL_PATH
  )
    throw new Error(`${where}.path is not an absolute path`);
  if (typeof e.allowDevices !== 'boolean') throw new Error(`${where}.allowDevices is not true or false`);
  return { name: e.name, path: e.path, allowDevices: e.allowDevices };
}

/** Parses the text of a pools file; throws `POOL_INVALID` naming the file and the fault. */
export function parsePoolsFile(text: string, file: string): StoragePool[] {
  try {
    if (text.length > MAX_POOLS_FILE_BYTES)
      throw new Error(`it is larger than ${MAX_POOLS_FILE_BYTES} bytes`);
    const v = JSON.parse(text) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('it is not a JSON object');
    const o = v as Record<string, unknown>;
    if (o.version !== 1) throw new Error(`version ${JSON.stringify(o.version)} is not 1`);
    if (!Array.isArray(o.pools)) throw new Error('"pools" is not an array');
    const pools = o.pools.map((p, i) => poolEntry(p, `pools[${i}]`));
    const names = new Set<string>();
    for (const p of pools) {
      if (names.has(p.name)) throw new Error(`the pool "${p.name}" appears twice`);
      names.add(p.name);
    }
    return pools;
  } catch (e) {
    throw new HostError('POOL_INVALID', `The pools file ${file} is not usable: ${(e as Error).message}`, {
      hint: 'Fix or remove it; a host without a pools file starts with the default pool alone',
    });
  }
}

/** Reads a pools file, or undefined when there is none. */
export function readPoolsFile(file: string): StoragePool[] | undefined {
  let text: string;
  try {
    const size = statSync(file).size;
    if (size > MAX_POOLS_FILE_BYTES)
      throw new HostError('POOL_INVALID', `The pools file ${file} is not usable: it holds ${size} bytes`);
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    if (e instanceof HostError) throw e;
    throw new HostError('POOL_INVALID', `Cannot read the pools file ${file}: ${(e as Error).message}`);
  }
  return parsePoolsFile(text, file);
}

/**
 * Writes the pools file atomically with mode 0600: the new content goes to a temporary file created exclusively
 * (never through a symlink someone left there), is synced, then renamed over the file; the folder is synced so
 * the rename survives a crash.
 */
export function writePoolsFile(file: string, pools: readonly StoragePool[]): void {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  rmSync(tmp, { force: true });
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, `${JSON.stringify({ version: 1, pools }, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  const dir = openSync(dirname(file), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}
