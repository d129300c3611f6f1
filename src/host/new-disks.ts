import { randomUUID } from 'node:crypto';
import { lstat, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ApiError } from '../api/index.js';
import {
  imagePath,
  isUuid,
  type NewDiskRequest,
  readDevices,
  type VirtualSystemDefinition,
  withNewImage,
} from '../model/index.js';
import { createPoolImage, DEFAULT_POOL, type StoragePool, type StoragePools } from './pools/index.js';
import type { StoredVm } from './store.js';
import type { OwnedImageTable } from './store-owned.js';

/**
 * New empty disks (DSP1047; see the model's `newDiskOf`): before a definition reaches the driver, the host creates
 * the image each new disk asks for in its storage pool (the default pool when PoolID names none) and gives the
 * disk that image as HostResource; the driver then receives a path as for any disk. The images are the host's
 * own for that system (`OwnedImageTable`): recorded before they are created, removed again when the define fails,
 * and deleted when the system is undefined or no longer names them.
 */

/** What the host lends the new-disk work. */
export interface NewDiskContext {
  pools: StoragePools;
  owned: OwnedImageTable;
  /** Every stored system (an owned image another system names too is kept, only forgotten). */
  vms(): readonly StoredVm[];
}

/** A definition whose new disks have images now, and how to take them back if the define fails. */
export interface MadeDisks {
  def: VirtualSystemDefinition;
  /** The images created, by path. */
  created: string[];
  /** Deletes the images created and forgets them (the define failed). */
  discard(): Promise<void>;
}

/** A file name for a new disk: the system's name and the drive's InstanceID, ASCII only. */
function diskName(system: string, instanceId: string, n: number): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._-]+/, '');
  const stem = `${safe(system) || 'vm'}-disk${safe(instanceId) || 'x'}`.slice(0, 100);
  return `${stem}${n === 1 ? '' : `-${n}`}.qcow2`;
}

interface Asked {
  position: number;
  instanceId: string;
  request: NewDiskRequest;
  pool: StoragePool;
}

/** The new disks of a definition, each with its pool; every problem is refused before anything is created. */
function askedDisks(ctx: NewDiskContext, def: VirtualSystemDefinition, action: string): Asked[] {
  const name = def.system.ElementName ?? '';
  const where = `Cannot ${action} "${name}"`;
  const out: Asked[] = [];
  for (const d of readDevices(def).drives) {
    const asked = d.newDisk;
    if (asked === undefined) continue;
    const pointer = `/resources/${d.position}`;
    if ('problem' in asked) {
      throw new ApiError('DEFINITION_INVALID', `${where}: ${asked.problem}`, {
        hint: asked.hint,
        errors: [{ pointer: `${pointer}/properties/VirtualQuantity`, detail: asked.problem }],
        detail: { domain: 'model', code: 'MODEL_INVALID' },
      });
    }
    const poolName = asked.request.pool ?? DEFAULT_POOL;
    const pool = ctx.pools.all.find((p) => p.name === poolName);
    if (pool === undefined) {
      const detail = `New disk "${d.instanceId}": no storage pool "${poolName.slice(0, 80)}"`;
      throw new ApiError('DEFINITION_INVALID', `${where}: ${detail}`, {
        hint: `The pools are: ${ctx.pools.all.map((p) => p.name).join(', ') || '(none)'}`,
        errors: [{ pointer: `${pointer}/properties/PoolID`, detail }],
        detail: { domain: 'host', code: 'POOL_NOT_FOUND' },
      });
    }
    out.push({ position: d.position, instanceId: d.instanceId, request: asked.request, pool });
  }
  return out;
}

/** Refuses reservations a pool's file system cannot hold now (`LIMIT_EXCEEDED`), per pool, all disks together. */
function checkSpace(ctx: NewDiskContext, asked: readonly Asked[], where: string): void {
  const wanted = new Map<StoragePool, { bytes: bigint; first: Asked }>();
  for (const a of asked) {
    if (a.request.reservedBytes === undefined) continue;
    const had = wanted.get(a.pool);
    wanted.set(a.pool, { bytes: (had?.bytes ?? 0n) + a.request.reservedBytes, first: had?.first ?? a });
  }
  for (const [pool, { bytes, first }] of wanted) {
    const free = ctx.pools.sizes(pool)?.freeBytes;
    if (free === undefined || free >= bytes) continue;
    const detail = `New disk "${first.instanceId}": the storage pool "${pool.name}" has ${free} bytes free, less than the ${bytes} bytes its new disks reserve`;
    throw new ApiError('LIMIT_EXCEEDED', `${where}: ${detail}`, {
      hint: 'Choose another pool, a smaller disk, or no Reservation (a sparse image)',
      errors: [{ pointer: `/resources/${first.position}/properties/PoolID`, detail }],
      detail: { domain: 'host', code: 'POOL_FULL' },
    });
  }
}

/** Deletes an owned image's file (a regular file or a link; never a folder) unless another system names it. */
async function dropOwned(ctx: NewDiskContext, uuid: string, path: string): Promise<void> {
  const others = ctx.vms().filter((v) => v.uuid !== uuid);
  if (!others.some((v) => namedBy(v.definition).has(resolve(path)))) {
    const st = await lstat(path).catch(() => undefined);
    if (st !== undefined && !st.isDirectory()) await unlink(path).catch(() => undefined);
  }
  ctx.owned.remove(uuid, path);
}

/** The image paths a definition's drives name, resolved. */
function namedBy(def: VirtualSystemDefinition): Set<string> {
  const out = new Set<string>();
  for (const d of readDevices(def).drives) {
    const p = imagePath(d.hostResource);
    if (p !== undefined) out.add(resolve(p));
  }
  return out;
}

/**
 * Creates the images of a definition's new disks and returns the definition that names them. A definition without
 * a UUID gets one (the images are recorded under it). Refuses, before anything is created: a new disk whose size
 * or host space the model cannot accept (`DEFINITION_INVALID`), a pool that does not exist (`DEFINITION_INVALID`,
 * detail `POOL_NOT_FOUND`), a reservation the pool's file system cannot hold (`LIMIT_EXCEEDED`, `POOL_FULL`); a
 * failed create deletes what it had made.
 *
 * @example
 * const made = await makeNewDisks(ctx, def, 'define');
 * try { await driver.define(made.def); } catch (e) { await made.discard(); throw e; }
 */
export async function makeNewDisks(
  ctx: NewDiskContext,
  def: VirtualSystemDefinition,
  action: string,
): Promise<MadeDisks> {
  const asked = askedDisks(ctx, def, action);
  if (asked.length === 0) return { def, created: [], discard: async () => undefined };
  const where = `Cannot ${action} "${def.system.ElementName ?? ''}"`;
  checkSpace(ctx, asked, where);
  const given = def.system.VirtualSystemIdentifier;
  const uuid = isUuid(given) ? given.toLowerCase() : randomUUID();
  const resources = [...def.resources];
  const created: string[] = [];
  const discard = async () => {
    for (const p of created.splice(0)) await dropOwned(ctx, uuid, p);
  };
  try {
    for (const a of asked) {
      const path = await createOne(ctx, uuid, def.system.ElementName ?? '', a, created);
      resources[a.position] = withNewImage(resources[a.position]!, path);
    }
  } catch (e) {
    await discard();
    throw e;
  }
  return {
    def: { system: { ...def.system, VirtualSystemIdentifier: uuid }, resources },
    created,
    discard,
  };
}

/** Creates one new disk's image under the first free name, recorded as owned first; returns its path. */
async function createOne(
  ctx: NewDiskContext,
  uuid: string,
  system: string,
  a: Asked,
  created: string[],
): Promise<string> {
  for (let n = 1; n < 1000; n++) {
    const name = diskName(system, a.instanceId, n);
    const path = join(a.pool.path, name);
    if ((await lstat(path).catch(() => undefined)) !== undefined) continue;
    ctx.owned.add(uuid, path);
    try {
      await createPoolImage(a.pool, name, a.request.capacityBytes, 'qcow2', [], {
        preallocate: a.request.reservedBytes !== undefined,
      });
    } catch (e) {
      ctx.owned.remove(uuid, path);
      if (e instanceof ApiError && e.code === 'ALREADY_EXISTS') continue; // taken meanwhile
      throw e;
    }
    created.push(path);
    return path;
  }
  throw new ApiError(
    'ALREADY_EXISTS',
    `The storage pool "${a.pool.name}" has no free name for the new disk "${a.instanceId}"`,
  );
}

/**
 * Deletes the owned images of a system that its definition no longer names (a disk removed or given another
 * image); with no definition (the system is gone), all of them but those in `keep` (kept in place by an
 * undefine --keep-disks), which are only forgotten.
 *
 * @example
 * await settleOwnedImages(ctx, uuid, host.get(uuid).definition);
 */
export async function settleOwnedImages(
  ctx: NewDiskContext,
  uuid: string,
  def: VirtualSystemDefinition | undefined,
  keep: ReadonlySet<string> = new Set(),
): Promise<void> {
  const named = def === undefined ? new Set<string>() : namedBy(def);
  for (const path of ctx.owned.of(uuid)) {
    if (named.has(resolve(path))) continue;
    if (keep.has(resolve(path))) ctx.owned.remove(uuid, path);
    else await dropOwned(ctx, uuid, path);
  }
}

/**
 * At the host's start: the owned images of systems that are gone, and those their definitions no longer name (a
 * crash between creating an image and storing the definition), are deleted.
 */
export async function cleanupOwnedImages(ctx: NewDiskContext): Promise<void> {
  const vms = new Map(ctx.vms().map((v) => [v.uuid, v]));
  const uuids = new Set(ctx.owned.all().map((o) => o.uuid));
  for (const uuid of uuids) await settleOwnedImages(ctx, uuid, vms.get(uuid)?.definition);
}
