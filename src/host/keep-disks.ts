import { randomBytes } from 'node:crypto';
import { chmod, link, realpath, rm, unlink } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { probe, qemuConvert } from '../disk/index.js';
import { type HypervisorDriver, requireOperation } from '../hypervisor/index.js';
import { diskModeOf, imagePath, readDevices, type VirtualSystemDefinition } from '../model/index.js';
import { HostError } from './errors.js';
import {
  DEFAULT_POOL,
  inside,
  type StoragePool,
  type StoragePools,
  UPLOAD_TEMP_PREFIX,
} from './pools/index.js';

/** One disk an undefine kept: where its data is now (the Api's `UndefineResult.keptImages`). */
export interface KeptImage {
  instanceId: string;
  pool: string;
  image: string;
  how: 'converted' | 'in-place';
}

/** The pool holding a real path, and the path's name in it; undefined outside every pool. */
function pooled(pools: readonly StoragePool[], real: string): { pool: string; image: string } | undefined {
  const p = pools.find((x) => inside(real, x.path));
  return p === undefined ? undefined : { pool: p.name, image: relative(p.path, real) };
}

/** The base image a definition names for a disk. */
function baseOf(def: VirtualSystemDefinition, instanceId: string): string {
  const d = readDevices(def).drives.find((x) => x.instanceId === instanceId);
  const path = imagePath(d?.hostResource);
  if (path === undefined) throw new HostError('FILE_NOT_FOUND', `Disk "${instanceId}" names no image`);
  return path;
}

/** A file name for a kept disk: the system's name and the drive's InstanceID, ASCII only. */
function keptName(system: string, instanceId: string, n: number): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '');
  const stem = `${safe(system) || 'vm'}-disk${safe(instanceId)}`.slice(0, 100);
  return `${stem}${n === 1 ? '' : `-${n}`}.qcow2`;
}

/**
 * Writes the current content of an overlay disk (`chain`: the system's overlay over its base, or the base alone)
 * as one standalone qcow2 in `pool`, with the pinned `qemu-img convert` (every image of the chain given with its
 * probed format, nothing else opened). It is written under a temporary name and linked to its final name only
 * when complete (a name that exists is never replaced: the next free `-N` is taken), so the pool never shows a
 * half-written image.
 */
async function convertInto(
  pool: StoragePool,
  name: string,
  instanceId: string,
  chain: { path: string; format: 'qcow2' | undefined }[],
): Promise<string> {
  const images = [];
  for (const c of chain) images.push({ path: c.path, format: c.format ?? (await probe(c.path)).format });
  const [top, ...backing] = images;
  if (top === undefined) throw new HostError('FILE_NOT_FOUND', `Disk "${instanceId}" has no image`);
  const tmp = join(pool.path, `${UPLOAD_TEMP_PREFIX}keep-${randomBytes(6).toString('hex')}`);
  try {
    await qemuConvert(top.path, tmp, 'qcow2', { from: top.format, backing });
    await chmod(tmp, 0o600);
    for (let n = 1; n < 1000; n++) {
      const file = keptName(name, instanceId, n);
      try {
        await link(tmp, join(pool.path, file)); // exclusive: fails on a taken name
        return file;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
    }
    throw new HostError(
      'POOL_INVALID',
      `The pool "${pool.name}" has no free name for the disk "${instanceId}"`,
    );
  } finally {
    await unlink(tmp).catch(() => rm(tmp, { force: true }));
  }
}

/**
 * `undefine --keep-disks`: keeps the guest's data before the system's files go. A direct disk (DiskMode direct)
 * stays where it is; an overlay disk's current content (the overlay over its base, flattened) becomes a new
 * standalone qcow2 in the default pool; an overlay disk the guest never wrote is its base image, kept in place
 * when a pool holds it (else, a deploy's own file, copied into the default pool like an overlay). The system
 * must be stopped; the images were checked against the pools just before (`pools.check`). `vmDir` is the
 * system's own folder (`STATE/vms/UUID`), which the undefine deletes: nothing in it is kept in place.
 *
 * @example
 * const kept = await keepDisks(driver, pools, uuid, 'web1', def, '/var/lib/vessel/vms/UUID');
 * // [{ instanceId: '4', pool: 'default', image: 'web1-disk4.qcow2', how: 'converted' }]
 */
export async function keepDisks(
  driver: HypervisorDriver,
  pools: StoragePools,
  uuid: string,
  name: string,
  def: VirtualSystemDefinition,
  vmDir: string,
): Promise<KeptImage[]> {
  const images = await requireOperation(driver, 'diskImages')(uuid); // NOT_SUPPORTED: where the disks are is unknown
  const own = await realpath(vmDir).catch(() => vmDir); // the system's folder, deleted with it
  const out: KeptImage[] = [];
  for (const d of images) {
    if (d.kind !== 'disk') continue;
    const real = await realpath(d.source.path);
    // An overlay, or a file of the system's own folder (a deploy's disk), goes with the system: it is converted.
    const there = d.source.chain || inside(real, own) ? undefined : pooled(pools.all, real);
    if (there !== undefined) {
      out.push({ instanceId: d.instanceId, ...there, how: 'in-place' });
      continue;
    }
    const pool = pools.get(DEFAULT_POOL);
    const chain: { path: string; format: 'qcow2' | undefined }[] = [{ path: real, format: undefined }];
    if (d.source.chain) {
      const base = baseOf(def, d.instanceId);
      chain.splice(0, 1, { path: real, format: 'qcow2' }, { path: await realpath(base), format: undefined });
    }
    const image = await convertInto(pool, name, d.instanceId, chain);
    out.push({ instanceId: d.instanceId, pool: pool.name, image, how: 'converted' });
  }
  return out;
}

/**
 * Refuses (`IMAGE_IN_USE`) to change a system from overlay to direct disk mode while its overlays hold what the
 * guest wrote: the guest would then see its images without those writes, and the overlays would go stale. Keep
 * the data first (`undefine --keep-disks`, then define the kept images in direct mode).
 */
export async function refuseDroppingOverlays(
  driver: HypervisorDriver,
  before: VirtualSystemDefinition | undefined,
  def: VirtualSystemDefinition,
): Promise<void> {
  const uuid = def.system.VirtualSystemIdentifier;
  if (before === undefined || uuid === undefined || driver.diskImages === undefined) return;
  if (diskModeOf(def.system) !== 'direct' || diskModeOf(before.system) === 'direct') return;
  const written = (await driver.diskImages(uuid)).filter((d) => d.kind === 'disk' && d.source.chain);
  if (written.length === 0) return;
  const name = def.system.ElementName ?? uuid;
  throw new HostError(
    'IMAGE_IN_USE',
    `Cannot change "${name}" to direct disk mode: what its guest wrote is in overlays (drive ${written.map((d) => `"${d.instanceId}"`).join(', ')})`,
    {
      hint: `Keep that data with vessel vm undefine ${name} --keep-disks, then define the kept images with --disk-mode direct`,
    },
  );
}
