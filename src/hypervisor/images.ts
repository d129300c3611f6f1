import { existsSync, statSync } from 'node:fs';
import { probe, qemuDriver } from '../disk/index.js';
import { imagePath, readDevices, type VirtualSystemDefinition } from '../model/index.js';
import { HypervisorError } from './errors.js';
import type { DiskImage } from './types.js';

/** Where a disk's current content is: the file, and whether it is an overlay over the base image (a chain). */
type CurrentImage = (instanceId: string, base: string) => { path: string; chain: boolean };

/**
 * The images of a definition's drives as a driver reports them (`diskImages`): each disk's current content as
 * `current` says (a driver without overlays: the base image itself), probed natively for its format and virtual
 * size; CD/DVD and floppy images as they are, when they exist. A disk whose image is missing is `FILE_NOT_FOUND`
 * naming the drive; drives without a host path are left out.
 *
 * @example
 * const images = await driveImages(def, (id, base) => ({ path: base, chain: false }));
 */
export async function driveImages(def: VirtualSystemDefinition, current: CurrentImage): Promise<DiskImage[]> {
  const out: DiskImage[] = [];
  for (const d of readDevices(def).drives) {
    const base = imagePath(d.hostResource);
    if (base === undefined) continue;
    if (d.kind !== 'disk') {
      if (!existsSync(base)) continue;
      const size = BigInt(statSync(base).size);
      out.push({
        instanceId: d.instanceId,
        kind: d.kind,
        virtualSizeBytes: size,
        source: { kind: 'file', path: base, format: 'raw', chain: false },
      });
      continue;
    }
    const { path, chain } = current(d.instanceId, base);
    if (!existsSync(path)) {
      throw new HypervisorError(
        'FILE_NOT_FOUND',
        `The image of disk "${d.instanceId}" does not exist: ${path}`,
      );
    }
    let info: Awaited<ReturnType<typeof probe>>;
    try {
      info = await probe(path);
    } catch (e) {
      throw new HypervisorError(
        'FILE_NOT_FOUND',
        `Cannot read the image of disk "${d.instanceId}": ${path}`,
        {
          cause: e,
        },
      );
    }
    out.push({
      instanceId: d.instanceId,
      kind: 'disk',
      virtualSizeBytes: BigInt(info.virtualSize),
      source: { kind: 'file', path, format: qemuDriver(info.format) ?? info.format, chain },
    });
  }
  return out;
}
