import { constants, type Stats } from 'node:fs';
import { open, readlink, realpath, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { diskModeOf, imagePath, readDevices, type VirtualSystemDefinition } from '../../model/index.js';
import { HostError } from '../errors.js';
import type { StoragePool } from './file.js';
import { type HostFolders, hostFile, inside } from './folder.js';
import { refuseExternalReferences } from './references.js';

/** What {@link checkDefinitionImages} needs besides the definition. */
export interface ImageCheck {
  pools: readonly StoragePool[];
  /** What the host was asked to do, for messages: `define`, `start`, `export`. */
  action: string;
  /** The system's name, for messages. */
  system: string;
  /** The host's own folders (real paths): nothing in them is an image, whatever pool holds them. */
  host: HostFolders;
  /** A deployed system's own folder (a real path): its files are the host's own and need no pool. */
  ownDir?: string | undefined;
  /**
   * The system writes to this image itself (DiskMode direct): it must lie in a storage pool, never in the
   * system's own folder (a deploy's files) nor anywhere else.
   */
  direct?: boolean;
}

/** How the hint lists the pools. */
function poolHint(pools: readonly StoragePool[]): string {
  if (pools.length === 0) return 'This host has no storage pools; add one with: vessel pool add NAME DIR';
  const list = pools.map((p) => `${p.name} (${p.path})`).join(', ');
  return `Storage pools: ${list}. Copy the image into one, or add its folder: vessel pool add NAME DIR`;
}

/** What a file that is not a regular file is, in words; undefined for a regular file. */
function kindOf(st: Stats): string | undefined {
  if (st.isFile()) return undefined;
  if (st.isBlockDevice()) return 'a block device';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isDirectory()) return 'a folder';
  return 'not a regular file';
}

/** The path the kernel gives for an open descriptor, or undefined without /proc. */
async function openedPath(fd: number): Promise<string | undefined> {
  try {
    return await readlink(`/proc/self/fd/${fd}`);
  } catch {
    return undefined;
  }
}

const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY;

/**
 * Checks one image path an admin gave: after resolving every symlink, the file must lie in a storage pool (or in
 * the system's own folder) and not among the host's own files (state and run directories, whatever pool holds
 * them), be a regular file with one name (a hard link could be a file from anywhere on the
 * same file system) or a block device in a pool that allows devices, and refer to no other file. The file is then
 * opened without following symlinks, and what was opened must be the file that was checked (same device and
 * inode, same path in /proc/self/fd), so a symlink swapped between the checks is caught; the reference check
 * reads through that descriptor. FIFOs, sockets and character devices are refused before anything opens them.
 */
export async function checkImage(path: string, driveId: string, c: ImageCheck): Promise<void> {
  const where = `Cannot ${c.action} "${c.system}": the image of drive "${driveId}"`;
  const hint = poolHint(c.pools);
  const why = c.direct === true ? ', and a system in direct disk mode writes to the image itself' : '';
  const outside = (detail: string) =>
    new HostError('IMAGE_OUTSIDE_POOLS', `${where} is outside every storage pool${detail}${why}: ${path}`, {
      hint,
    });
  const pooled = (p: string) =>
    c.pools.some((x) => inside(p, x.path)) || (c.ownDir !== undefined && inside(p, c.ownDir));
  const inHost = (p: string, to: string) => {
    const which = c.ownDir !== undefined && inside(p, c.ownDir) ? undefined : hostFile(p, c.host);
    if (which === undefined) return undefined;
    return new HostError('IMAGE_OUTSIDE_POOLS', `${where} lies in ${which}${to}: ${path}`, {
      hint: "The host's own files are never images; copy the image into a pool",
    });
  };
  if (path.includes('\0')) throw outside('');
  const lexical = resolve(path);
  let real: string;
  try {
    real = await realpath(lexical);
  } catch (e) {
    // Outside the pools (and in the host's folders), a missing file and a present one get the same answer.
    if (!pooled(lexical)) throw outside('');
    const hostErr = inHost(lexical, '');
    if (hostErr !== undefined) throw hostErr;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR')
      throw new HostError('FILE_NOT_FOUND', `${where} does not exist: ${path}`);
    throw new HostError('FILE_NOT_FOUND', `${where} cannot be resolved (${code ?? 'error'}): ${path}`);
  }
  const own = c.ownDir !== undefined && inside(real, c.ownDir);
  const pools = c.pools.filter((p) => inside(real, p.path));
  if (!own && pools.length === 0) throw outside(real === lexical ? '' : ` (it resolves to ${real})`);
  const hostErr = inHost(real, real === lexical ? '' : ` (it resolves to ${real})`);
  if (hostErr !== undefined) throw hostErr;
  let st: Stats;
  try {
    st = await stat(real);
  } catch {
    throw new HostError('FILE_NOT_FOUND', `${where} does not exist: ${path}`);
  }
  const kind = kindOf(st);
  if (kind !== undefined && !st.isBlockDevice())
    throw new HostError('IMAGE_DEVICE', `${where} is ${kind}, not an image file: ${path}`);
  if (st.isBlockDevice() && (own || !pools.some((p) => p.allowDevices))) {
    throw new HostError(
      'IMAGE_DEVICE',
      `${where} is a block device, and pool "${pools[0]?.name ?? ''}" does not allow devices: ${path}`,
      { hint: 'A pool of block devices is added with: vessel pool add NAME DIR --allow-devices' },
    );
  }
  if (!own && st.isFile() && st.nlink > 1) {
    throw new HostError(
      'IMAGE_OUTSIDE_POOLS',
      `${where} has ${st.nlink} names (hard links), so it may be a file from outside the pools: ${path}`,
      { hint: 'Copy the image into the pool instead of linking it' },
    );
  }
  const changed = () =>
    new HostError('IMAGE_OUTSIDE_POOLS', `${where} changed while it was checked: ${path}`, { hint });
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(real, OPEN_FLAGS);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw changed();
    if (code === 'ENOENT') throw new HostError('FILE_NOT_FOUND', `${where} does not exist: ${path}`);
    throw new HostError('FILE_NOT_FOUND', `${where} cannot be opened (${code ?? 'error'}): ${path}`);
  }
  try {
    const now = await fh.stat();
    if (now.dev !== st.dev || now.ino !== st.ino) throw changed();
    const opened = await openedPath(fh.fd);
    if (opened !== undefined && opened !== real) throw changed();
    if (!own)
      await refuseExternalReferences(opened === undefined ? real : `/proc/self/fd/${fh.fd}`, path, where);
  } finally {
    await fh.close();
  }
}

/**
 * Checks every image a definition names (disks, CD/DVD and floppy drives with a host path; empty drives and
 * references that are not host paths are left to the definition's own validation), in drive order, and throws
 * the first refusal: `IMAGE_OUTSIDE_POOLS`, `IMAGE_DEVICE`, `IMAGE_REFERENCES` or `FILE_NOT_FOUND`.
 *
 * @example
 * await checkDefinitionImages(def, { pools, host: { stateDir, imagesDir, runDir }, action: 'define', system: 'web1' });
 */
export async function checkDefinitionImages(def: VirtualSystemDefinition, c: ImageCheck): Promise<void> {
  const direct = diskModeOf(def.system) === 'direct';
  for (const d of readDevices(def).drives) {
    const path = imagePath(d.hostResource);
    if (path === undefined) continue;
    // A direct disk is written in place: only a pool may hold it, not the system's own (deploy) folder.
    const own = direct && d.kind === 'disk' ? { ...c, ownDir: undefined, direct: true } : c;
    await checkImage(path, d.instanceId, own);
  }
}
