import { existsSync, mkdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { isUuid, type VirtualSystemDefinition } from '../../model/index.js';
import { DEPLOY_MARKER, systemDir } from '../deploy/staging.js';
import { HostError } from '../errors.js';
import type { StoredVm } from '../store.js';
import { checkDefinitionImages } from './check.js';
import { POOLS_FILE, readPoolsFile, type StoragePool, writePoolsFile } from './file.js';
import {
  checkPoolName,
  defaultPoolFolder,
  type HostFolders,
  realFolders,
  resolvePoolFolder,
} from './folder.js';
import { type PoolSizes, type PoolUsage, poolSizes, poolUsage, poolUsers } from './usage.js';

/** The pool every host starts with: `STATE/images`. */
export const DEFAULT_POOL = 'default';

/** How long a reading of a pool's sizes is kept, ms. */
const SIZES_TTL_MS = 1000;

/** The most pools a host keeps. */
export const MAX_POOLS = 256;

/**
 * The storage pools of a host, as ESXi datastores and libvirt storage pools: named host folders that every image
 * an admin names must lie in (after resolving symlinks). Kept in `STATE/pools.json` (see file.ts); the first
 * start creates the default pool `STATE/images`. A deployed system's own folder `STATE/vms/UUID` (marked by the
 * deploy) holds the host's own files for it and needs no pool; `known` says which UUIDs are registered systems.
 *
 * @example
 * const pools = StoragePools.open('/var/lib/vessel', runDir, (uuid) => store.getVm(uuid)?.uuid === uuid);
 * pools.add('iso', '/srv/iso');
 * await pools.check(def, 'define');
 */
export class StoragePools {
  private constructor(
    readonly file: string,
    private readonly folders: HostFolders,
    private readonly known: (uuid: string) => boolean,
    private pools: StoragePool[],
  ) {}

  /** The last reading of each pool folder's sizes. */
  private readonly sampled = new Map<string, { at: number; sizes: PoolSizes }>();

  /** Reads the pools of a state directory (`POOL_INVALID` when the file is damaged), creating the default pool on first start. */
  static open(stateDir: string, runDir: string, known: (uuid: string) => boolean): StoragePools {
    const file = join(stateDir, POOLS_FILE);
    const imagesDir = defaultPoolFolder(stateDir);
    let pools = readPoolsFile(file);
    if (pools === undefined) {
      mkdirSync(imagesDir, { recursive: true, mode: 0o700 });
      pools = [{ name: DEFAULT_POOL, path: realpathSync(imagesDir), allowDevices: false }];
      writePoolsFile(file, pools);
    }
    return new StoragePools(file, { stateDir, runDir, imagesDir }, known, pools);
  }

  /** The pools, in the order they were added. */
  get all(): readonly StoragePool[] {
    return this.pools;
  }

  /** The pool with this name, or `POOL_NOT_FOUND` naming the pools there are. */
  get(name: string): StoragePool {
    const pool = this.pools.find((p) => p.name === name);
    if (pool === undefined) {
      throw new HostError('POOL_NOT_FOUND', `No storage pool "${name.slice(0, 80)}"`, {
        hint: `The pools are: ${this.pools.map((p) => p.name).join(', ') || '(none)'}`,
      });
    }
    return pool;
  }

  /**
   * The exact sizes of the file system a pool lies on (see `poolSizes`), or undefined when its folder cannot be
   * read (checked every time). The sizes of a readable folder are kept for {@link SIZES_TTL_MS}, so that a list
   * and the gets that follow it agree while other writers change the file system.
   */
  sizes(pool: StoragePool): PoolSizes | undefined {
    let fresh: PoolSizes;
    try {
      fresh = poolSizes(pool.path);
    } catch {
      this.sampled.delete(pool.path); // removed or unmounted
      return undefined;
    }
    const now = Date.now();
    const kept = this.sampled.get(pool.path);
    if (kept !== undefined && now - kept.at < SIZES_TTL_MS) return kept.sizes;
    this.sampled.set(pool.path, { at: now, sizes: fresh });
    return fresh;
  }

  /** Every pool with its capacity, use and image count. */
  list(): PoolUsage[] {
    return this.pools.map(poolUsage);
  }

  /** Adds a pool (the folder must exist); refuses a malformed or taken name or folder. */
  add(name: string, path: string, options: { allowDevices?: boolean } = {}): PoolUsage {
    checkPoolName(name);
    if (this.pools.some((p) => p.name === name))
      throw new HostError('POOL_EXISTS', `A storage pool named "${name}" exists already`);
    if (this.pools.length >= MAX_POOLS)
      throw new HostError('POOL_INVALID', `This host has ${MAX_POOLS} storage pools, the most it keeps`);
    const real = resolvePoolFolder(path, this.folders);
    const same = this.pools.find((p) => p.path === real);
    if (same !== undefined)
      throw new HostError('POOL_EXISTS', `The folder ${real} is the storage pool "${same.name}" already`);
    const pool: StoragePool = { name, path: real, allowDevices: options.allowDevices === true };
    const next = [...this.pools, pool];
    writePoolsFile(this.file, next);
    this.pools = next;
    return poolUsage(pool);
  }

  /**
   * Removes a pool; refused while a defined system (of `vms`) uses an image in it that no other pool holds,
   * naming the systems.
   */
  remove(name: string, vms: readonly StoredVm[]): void {
    const pool = this.get(name);
    const users = poolUsers(
      pool,
      this.pools.filter((p) => p !== pool),
      realFolders(this.folders),
      vms,
    );
    if (users.length > 0) {
      const more = users.length > 5 ? ` and ${users.length - 5} more` : '';
      throw new HostError(
        'POOL_IN_USE',
        `Cannot remove the storage pool "${name}": ${users.slice(0, 5).join(', ')}${more} use${users.length === 1 ? 's' : ''} an image in it`,
        { hint: 'Undefine those systems, or move their images to another pool and redefine them, first' },
      );
    }
    const next = this.pools.filter((p) => p !== pool);
    writePoolsFile(this.file, next);
    this.pools = next;
  }

  /**
   * Checks every image a definition names against the pools (see `checkImage`): what `define` runs before the
   * driver sees a definition, and `start` and `export` run again, since a symlink can be swapped after a define.
   * `action` names what was asked in the messages (`Cannot start "web1": ...`; a define of a known system is a
   * change).
   */
  check(def: VirtualSystemDefinition, action: string): Promise<void> {
    const uuid = def.system.VirtualSystemIdentifier;
    const known = isUuid(uuid) && this.known(uuid);
    return checkDefinitionImages(def, {
      pools: this.pools,
      host: realFolders(this.folders),
      action: action === 'define' && known ? 'change' : action,
      system: def.system.ElementName ?? '',
      ownDir: uuid === undefined ? undefined : this.ownFolder(uuid),
    });
  }

  /** The real path of a registered, deployed system's own folder, or undefined. */
  private ownFolder(uuid: string): string | undefined {
    if (!isUuid(uuid) || !this.known(uuid)) return undefined;
    const dir = systemDir(this.folders.stateDir, uuid);
    return existsSync(join(dir, DEPLOY_MARKER)) ? realpathSync(dir) : undefined;
  }
}
