import { type Dirent, opendirSync, realpathSync, statfsSync } from 'node:fs';
import { resolve } from 'node:path';
import { imagePath, readDevices } from '../../model/index.js';
import type { StoredVm } from '../store.js';
import type { StoragePool } from './file.js';
import { type HostFolders, hostFile, inside } from './folder.js';

/** A pool with what `vessel pool list` and CIM show of it. */
export interface PoolUsage extends StoragePool {
  /** False when the folder cannot be read (removed, unmounted); the sizes are then undefined. */
  available: boolean;
  /** Size of the file system the folder lies on, in bytes (statfs f_blocks × f_bsize). */
  capacityBytes: number | undefined;
  /** Bytes in use on that file system (f_blocks − f_bfree). */
  usedBytes: number | undefined;
  /** Bytes an unprivileged writer may still use (f_bavail). */
  freeBytes: number | undefined;
  /** Images in the folder itself: regular files, and block devices when the pool allows devices. */
  images: number;
}

/** Folder entries read at most when counting a pool's images (a pool is not meant to hold millions). */
export const MAX_COUNTED_ENTRIES = 100_000;

function countImages(pool: StoragePool): number {
  const dir = opendirSync(pool.path);
  let n = 0;
  try {
    for (let seen = 0; seen < MAX_COUNTED_ENTRIES; seen++) {
      const e: Dirent | null = dir.readSync();
      if (e === null) break;
      if (e.isFile() || (pool.allowDevices && e.isBlockDevice())) n++;
    }
  } finally {
    dir.closeSync();
  }
  return n;
}

/** The exact sizes of the file system a folder lies on, in bytes. */
export interface PoolSizes {
  /** f_blocks × f_bsize. */
  capacityBytes: bigint;
  /** (f_blocks − f_bfree) × f_bsize. */
  usedBytes: bigint;
  /** f_bavail × f_bsize. */
  freeBytes: bigint;
}

/**
 * The sizes of the file system `folder` lies on, from statfs(2) read as 64-bit integers, so that they are exact
 * whatever the file system's size (block counts times block size in doubles lose bytes beyond 2^53).
 *
 * @example
 * const { capacityBytes } = poolSizes('/srv/images'); // 1000204886016n
 */
export function poolSizes(folder: string): PoolSizes {
  const s = statfsSync(folder, { bigint: true });
  return {
    capacityBytes: s.blocks * s.bsize,
    usedBytes: (s.blocks - s.bfree) * s.bsize,
    freeBytes: s.bavail * s.bsize,
  };
}

/** Capacity, use and image count of one pool, from statfs(2) and one read of its folder. */
export function poolUsage(pool: StoragePool): PoolUsage {
  try {
    const s = poolSizes(pool.path);
    return {
      ...pool,
      available: true,
      capacityBytes: Number(s.capacityBytes),
      usedBytes: Number(s.usedBytes),
      freeBytes: Number(s.freeBytes),
      images: countImages(pool),
    };
  } catch {
    return {
      ...pool,
      available: false,
      capacityBytes: undefined,
      usedBytes: undefined,
      freeBytes: undefined,
      images: 0,
    };
  }
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * The systems with an image in the pool and in no other pool (by the image's real path when it exists, and by the
 * path as given), as `"name" (drive "id")`: the systems that removing the pool would leave with an image outside
 * every pool. Files of the host's own folders (a deployed system's disks) are no pool's.
 */
export function poolUsers(
  pool: StoragePool,
  others: readonly StoragePool[],
  host: HostFolders,
  vms: readonly StoredVm[],
): string[] {
  const users: string[] = [];
  // A deployed system's own files are the host's, not the pool's, whatever pool holds the state directory.
  const covered = (p: string) => others.some((o) => inside(p, o.path)) || hostFile(p, host) !== undefined;
  for (const vm of vms) {
    for (const d of readDevices(vm.definition).drives) {
      const path = imagePath(d.hostResource);
      if (path === undefined) continue;
      const paths = [resolve(path), realOrSelf(path)];
      if (paths.some((p) => inside(p, pool.path) && !covered(p))) {
        users.push(`"${vm.name}" (drive "${d.instanceId}")`);
        break;
      }
    }
  }
  return users;
}
