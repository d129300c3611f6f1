import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { encodeStreamVmdk } from '../../disk/index.js';
import type { DiskImage } from '../../hypervisor/index.js';
import { imagePath, readDevices, type VirtualSystemDefinition } from '../../model/index.js';
import { adapterOf, type FileTransform, STREAM_VMDK_FORMAT } from '../../ova/index.js';
import { HostError } from '../errors.js';
import { checkExportChain, checkExportFile, type ExportConfinement } from './confine.js';
import type { PackageDiskPlan, PackageMediaPlan } from './descriptor.js';

/**
 * The images of a system as an export reads them: each disk's current content as its driver reports it
 * (`HypervisorDriver.diskImages`: for QEMU the qcow2 overlay, a chain overlay -> base image flattened by the disk
 * engine as it encodes, once the system has run; else the base image itself); CD/DVD and floppy images are stored
 * as they are, except the OVF environment ISO a deploy made (the system's `ovf-env.iso`): its drive is exported
 * empty, and a deploy of the package puts a fresh environment in it.
 */

/** A disk to encode: where its data is read from, and how the package names it. */
interface DiskSource extends PackageDiskPlan {
  /** The image read: the overlay, or the base image when there is no overlay. */
  path: string;
  /** True when `path` is the system's qcow2 overlay over its base image. */
  overlay: boolean;
}

/** A CD/DVD or floppy image copied into the package. */
interface MediaSource extends PackageMediaPlan {
  path: string;
}

/** What an export reads and what it leaves out. */
export interface ExportSources {
  disks: DiskSource[];
  media: MediaSource[];
  /** Drives written without their image (an empty CD/DVD drive, ...), with why. */
  emptied: { instanceId: string; reason: string }[];
}

/** A name safe as a tar member and an `ovf:href`: ASCII letters, digits, `.`, `_` and `-`. */
export function packageBaseName(name: string): string {
  const s = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '');
  return (s === '' ? 'vm' : s).slice(0, 60);
}

/** The OVF environment ISO a deploy writes in the system's folder (hypervisor `vms/UUID`; see deploy/plan.ts). */
const ENVIRONMENT_ISO = 'ovf-env.iso';

/**
 * Finds the image of every drive of a stored system: a disk's from `images` (the driver's `diskImages`), media
 * from the definition. `stateDir`/vms/UUID is the system's folder, where a deploy wrote its files. Throws
 * `FILE_NOT_FOUND` naming the drive when an image is missing, and `EXPORT_HOST_PATH` when a deployed system
 * (`deployed`) names a file outside its folder (see confine.ts).
 */
export async function exportSources(
  stateDir: string,
  uuid: string,
  def: VirtualSystemDefinition,
  name: string,
  deployed: boolean,
  images: readonly DiskImage[],
): Promise<ExportSources> {
  const out: ExportSources = { disks: [], media: [], emptied: [] };
  const base = packageBaseName(name);
  // The package's own members are taken: an image may not be stored under the descriptor's or manifest's name.
  const hrefs = new Set(['ovf', 'mf', 'cert'].map((x) => `${base}.${x}`));
  const vmDir = join(stateDir, 'vms', uuid);
  const confine: ExportConfinement = { name, vmDir, deployed };
  for (const d of readDevices(def).drives) {
    const path = imagePath(d.hostResource);
    if (path !== undefined) await checkExportFile(confine, `the image of drive "${d.instanceId}"`, path);
    if (path === undefined) {
      if (d.hostResource !== undefined && d.hostResource.trim() !== '')
        out.emptied.push({
          instanceId: d.instanceId,
          reason: `its image "${d.hostResource}" is not a host path`,
        });
      continue;
    }
    if (d.kind === 'disk') {
      const image = images.find((i) => i.instanceId === d.instanceId);
      if (image === undefined)
        throw new HostError('FILE_NOT_FOUND', `The driver reports no image for disk "${d.instanceId}"`);
      const source = image.source.path;
      if (!existsSync(source))
        throw new HostError(
          'FILE_NOT_FOUND',
          `The image of disk "${d.instanceId}" does not exist: ${source}`,
        );
      const overlay = image.source.chain;
      if (overlay) await checkExportFile(confine, `the overlay of disk "${d.instanceId}"`, source);
      await checkExportChain(confine, d.instanceId, path, overlay ? source : undefined);
      const n = out.disks.length + 1;
      const href = `${base}-disk${n}.vmdk`;
      hrefs.add(href);
      out.disks.push({
        instanceId: d.instanceId,
        diskId: `vmdisk${n}`,
        fileId: `file${n}`,
        href,
        capacityBytes: image.virtualSizeBytes,
        path: source,
        overlay,
      });
      continue;
    }
    if (resolve(path) === join(vmDir, ENVIRONMENT_ISO)) {
      out.emptied.push({
        instanceId: d.instanceId,
        reason:
          'its image was made by this host (the OVF environment of a deploy, made again by the next one)',
      });
      continue;
    }
    if (!existsSync(path))
      throw new HostError('FILE_NOT_FOUND', `The image of drive "${d.instanceId}" does not exist: ${path}`);
    const same = out.media.find((m) => m.path === path);
    if (same !== undefined) {
      out.media.push({ ...same, instanceId: d.instanceId });
      continue;
    }
    let href = packageBaseName(basename(path));
    for (let i = 2; hrefs.has(href); i++) href = `${i}-${packageBaseName(basename(path))}`;
    hrefs.add(href);
    out.media.push({ instanceId: d.instanceId, fileId: '', href, path });
  }
  // Media that share an image share its File.
  const ids = new Map<string, string>();
  for (const m of out.media) {
    if (!ids.has(m.path)) ids.set(m.path, `file${out.disks.length + ids.size + 1}`);
    m.fileId = ids.get(m.path)!;
  }
  return out;
}

/** Progress of the disk encoding: bytes of virtual disk read so far over all disks, and the total. */
type DiskProgress = (done: number, total: number) => void;

/**
 * The packer transform that stores every disk File as a streamOptimized VMDK produced in the same pass by the
 * disk engine (deflate on worker threads), reading the overlay chain flattened; `ovf:populatedSize` is set from
 * what the encoder found. `level` is the zlib level (default: the engine's).
 */
export function exportDiskTransform(
  disks: readonly DiskSource[],
  options: { level?: number | undefined; onProgress?: DiskProgress | undefined } = {},
): FileTransform {
  const total = disks.reduce((n, d) => n + Number(d.capacityBytes), 0);
  const doneBefore = new Map<string, number>();
  let acc = 0;
  let reported = 0;
  const report = (done: number) => {
    if (done <= reported) return;
    reported = done;
    options.onProgress?.(done, total);
  };
  for (const d of disks) {
    doneBefore.set(d.href, acc);
    acc += Number(d.capacityBytes);
  }
  return {
    async plan({ env, file, disk }) {
      const src = disks.find((d) => d.href === file.href);
      if (src === undefined || disk === undefined) return undefined;
      const cap = Number(src.capacityBytes);
      return {
        href: src.href,
        maxSize: Math.ceil(cap / 65536) * (65536 + 1024) + Math.ceil(cap / 1024) + 65536,
        edit() {
          disk.format = STREAM_VMDK_FORMAT;
          disk.populatedSize = '9'.repeat(20);
        },
        async *open() {
          const before = doneBefore.get(src.href) ?? 0;
          const enc = encodeStreamVmdk(src.path, {
            adapterType: adapterOf(env, disk),
            fileName: src.href,
            references: 'follow', // the VM's own overlay on its base: the one chain the host follows
            ...(options.level === undefined ? {} : { level: options.level }),
            // Flattening a chain first (qemu-img) counts as the first half of the disk's share, encoding as all.
            onProgress: (e) => {
              const done = e.phase === 'encode' ? e.done : e.done / 2;
              if (e.phase === 'encode' || e.phase === 'qemu-img') report(before + done);
            },
          });
          yield* enc;
          const r = await enc.result;
          disk.populatedSize = String(r.populatedSize);
        },
      };
    },
  };
}
