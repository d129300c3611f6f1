import { ApiError, type ImageInfo, type PoolInfo, type SystemDetail } from '../api/index.js';
import {
  bytesOf,
  type Device,
  GRAPHICS_SPELLINGS,
  readDevices,
  SOUND_SPELLINGS,
  spell,
  USB_SPELLINGS,
} from '../model/index.js';
import { toCimError } from './methods/errors-map.js';
import { type CimContext, memoAsync } from './provider.js';
import type { ProviderEnv } from './providers/env.js';

/**
 * What CIM shows of a resource beyond its RASD as written, read from the model's device view (`readDevices`),
 * never re-interpreted here: the ResourceSubType that names its meaning when the RASD gives none, a NIC's MAC,
 * and a drive's size.
 */
export interface ResourceFacts {
  /** What the device view reads it as (undefined: a processor or memory setting, which are system facts). */
  device?: Device['device'];
  /** The RASD's own ResourceSubType, else the device view's kind or model in Vessel's spelling. */
  subType?: string;
  /** A NIC's MAC, colon form, lower case. */
  mac?: string;
  /** A drive's size in bytes: its VirtualQuantity when the model gives one, else its image's virtual size. */
  sizeBytes?: bigint;
  /** A drive's kind. */
  drive?: 'disk' | 'cdrom' | 'floppy';
}

/** ResourceSubType of a device as the device view names it, in the spelling Vessel writes (`spell`). */
function subTypeOf(d: Device): string | undefined {
  if (d.subType !== undefined && d.subType.trim() !== '') return d.subType;
  switch (d.device) {
    case 'controller':
      if (d.kind === 'usb') return d.usb === undefined ? undefined : USB_SPELLINGS[d.usb][0];
      return spell(d.kind, 'vessel')?.ResourceSubType ?? d.kind;
    case 'nic':
      return d.model === undefined ? undefined : (spell(d.model, 'vessel')?.ResourceSubType ?? d.model);
    case 'drive':
      return d.kind;
    case 'graphics':
      return d.model === undefined ? undefined : GRAPHICS_SPELLINGS[d.model][0];
    case 'sound':
      return d.model === undefined ? undefined : SOUND_SPELLINGS[d.model][0];
    default:
      return undefined;
  }
}

/** An image of a storage pool as the caller's Api shows it. */
interface PoolImage {
  /** The host path, when the Api shows the pool's folder (local principals only). */
  path: string | undefined;
  name: string;
  virtualSizeBytes: bigint | undefined;
  usedBy: readonly string[];
}

/** The images of every storage pool, read once per operation; none when the caller may not list them. */
function poolImages(ctx: CimContext, env: ProviderEnv): Promise<PoolImage[]> {
  return memoAsync(ctx, 'poolImages', async () => {
    const api = env.api(ctx);
    let pools: PoolInfo[];
    try {
      pools = await api.pools.list();
    } catch (e) {
      if (e instanceof ApiError && (e.code === 'NOT_SUPPORTED' || e.code === 'ACCESS_DENIED')) return [];
      throw toCimError(e);
    }
    const out: PoolImage[] = [];
    for (const p of pools) {
      if (!p.available) continue;
      let images: ImageInfo[];
      try {
        images = await api.pools.images(p.id);
      } catch {
        continue; // removed or unreadable since it was listed: its images' sizes are not shown
      }
      for (const i of images)
        out.push({
          path: p.path === undefined ? undefined : `${p.path.replace(/\/+$/, '')}/${i.name}`,
          name: i.name,
          virtualSizeBytes: i.virtualSizeBytes,
          usedBy: i.usedBy,
        });
    }
    return out;
  });
}

/**
 * The virtual size of the pool image a drive of `system` uses: the image at its path when the Api shows pool
 * folders, else the one image of that file name that the Api says the system uses (none when two could be).
 */
function imageSize(images: readonly PoolImage[], system: string, path: string): bigint | undefined {
  const exact = images.filter((i) => i.path !== undefined && i.path === path);
  if (exact.length === 1) return exact[0]!.virtualSizeBytes;
  const name = path.slice(path.lastIndexOf('/') + 1);
  const named = images.filter((i) => i.path === undefined && i.name === name && i.usedBy.includes(system));
  return named.length === 1 ? named[0]!.virtualSizeBytes : undefined;
}

/** A drive's VirtualQuantity in bytes, when the model gives one that reads as a size. */
function givenSize(d: Device): bigint | undefined {
  try {
    return bytesOf(d.resource);
  } catch {
    return undefined; // validateDefinition reports unreadable sizes
  }
}

/**
 * The facts of each resource of a system, by position in its definition; read once per operation. Image sizes
 * come from the storage pools only when a drive gives no size of its own.
 *
 * @example
 * const facts = await resourceFacts(ctx, env, system);
 * facts[2]?.mac; // '52:54:00:12:34:56'
 */
export function resourceFacts(ctx: CimContext, env: ProviderEnv, v: SystemDetail): Promise<ResourceFacts[]> {
  return memoAsync(ctx, `facts:${v.uuid}:${v.etag}`, async () => {
    const view = readDevices(v.definition);
    const out: ResourceFacts[] = v.definition.resources.map(() => ({}));
    const all: Device[] = [
      ...view.controllers,
      ...view.drives,
      ...view.nics,
      ...view.graphics,
      ...view.sound,
      ...view.serials,
      ...view.others,
    ];
    for (const d of all) {
      const f = out[d.position]!;
      f.device = d.device;
      const sub = subTypeOf(d);
      if (sub !== undefined) f.subType = sub;
      if (d.device === 'nic' && d.mac !== undefined) f.mac = d.mac;
    }
    let images: PoolImage[] | undefined;
    for (const d of view.drives) {
      const f = out[d.position]!;
      f.drive = d.kind;
      const given = givenSize(d);
      if (given !== undefined) {
        f.sizeBytes = given;
        continue;
      }
      if (d.image?.kind !== 'path') continue;
      images ??= await poolImages(ctx, env);
      const size = imageSize(images, v.name, d.image.path);
      if (size !== undefined) f.sizeBytes = size;
    }
    return out;
  });
}
