import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import * as disk from '../../disk/index.js';
import { VesselError } from '../../model/index.js';
import * as ovf from '../../ovf/index.js';
import { memberName } from './ovf-edit-files.js';

/**
 * `vessel ovf edit --add-disk` (COT's add-disk): an image file whose capacity and format the disk probe reads,
 * added as a File and a Disk on a drive at the first free slot of the chosen controller, or given to an existing
 * disk (`--disk-id`). An ISO image goes in a CD-ROM drive instead. OVF packages carry streamOptimized VMDKs;
 * another format is refused, or converted with `--convert-disk`.
 */

class UsageError extends VesselError<'USAGE'> {}

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** The format URI of a streamOptimized VMDK, the disk format OVF packages carry. */
export const STREAM_VMDK_URI = 'http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized';

/** The options of {@link editDiskImages}. */
export interface DiskImageOptions {
  addDisk?: string[] | undefined;
  controller?: string[] | undefined;
  diskId?: string[] | undefined;
  convertDisk?: boolean | undefined;
}

/** Adds the disk-image options to `ovf edit`. */
export function diskImageOptions(c: Command): Command {
  return c
    .option(
      '--add-disk <image>',
      'add a disk image, its capacity and format read from it (an ISO goes in a CD-ROM drive)',
      collect,
    )
    .option(
      '--controller <bus|id>',
      'where --add-disk and --inject-config drives go: ide, scsi, sata, nvme or a controller InstanceID',
      collect,
    )
    .option(
      '--disk-id <id>',
      'with one --add-disk: give this disk its new image, or the new disk this id',
      collect,
    )
    .option('--convert-disk', 'convert an --add-disk image that is not a streamOptimized VMDK to one');
}

/** The one value of an option that takes one. */
export function single(values: string[] | undefined, flag: string): string | undefined {
  const distinct = [...new Set(values ?? [])];
  if (distinct.length > 1)
    throw new UsageError(
      'USAGE',
      `${flag} was given ${distinct.length} different values (${distinct.join(', ')})`,
    );
  return distinct[0];
}

/** A probed image an OVF package can carry: its path (converted when asked), format and sizes. */
interface Image {
  path: string;
  format: disk.DiskFormat;
  virtualSize: bigint;
  fileSize: bigint;
}

/** Probes an image and refuses one that is corrupt, names other files, or is packed (gzip, tar). */
async function readImage(path: string, convertTo: string | undefined): Promise<Image> {
  const p = await disk.probe(path);
  const bad = p.problems.find((x) => x.severity === 'error');
  if (bad) throw new UsageError('USAGE', `--add-disk "${path}" cannot go in a package: ${bad.message}`);
  if (p.format === 'gzip' || p.format === 'tar')
    throw new UsageError('USAGE', `--add-disk "${path}" is a ${p.format} file, not a disk image`, {
      hint: p.format === 'gzip' ? 'Decompress it first' : undefined,
    });
  if (p.format === 'vmdk-stream' || p.format === 'iso')
    return { path, format: p.format, virtualSize: BigInt(p.virtualSize), fileSize: BigInt(p.fileSize) };
  if (convertTo === undefined)
    throw new UsageError(
      'USAGE',
      `--add-disk "${path}" is a ${p.format}${p.subformat ? ` (${p.subformat})` : ''} image; OVF packages carry streamOptimized VMDKs`,
      { hint: 'Give --convert-disk to convert it, or vessel disk convert --format vmdk-stream' },
    );
  const r = await disk.convert(path, convertTo, 'vmdk-stream');
  return {
    path: convertTo,
    format: 'vmdk-stream',
    virtualSize: BigInt(r.virtualSize),
    fileSize: BigInt(r.bytes),
  };
}

/**
 * Adds each `--add-disk` image to the envelope; the local file of each goes into `added` under its member name.
 * A temporary directory made for conversions is pushed to `temps` for the caller to remove.
 */
export async function editDiskImages(
  env: ovf.OvfEnvelope,
  sys: ovf.OvfContent,
  o: DiskImageOptions,
  added: Map<string, string>,
  packed: boolean,
  temps: string[],
): Promise<void> {
  const images = o.addDisk ?? [];
  const controller = single(o.controller, '--controller');
  const diskId = single(o.diskId, '--disk-id');
  if (images.length === 0) {
    if (diskId !== undefined || o.convertDisk)
      throw new UsageError('USAGE', '--disk-id and --convert-disk go with --add-disk');
    return;
  }
  if (diskId !== undefined && images.length > 1)
    throw new UsageError('USAGE', '--disk-id names one disk: give one --add-disk with it');
  if (diskId !== undefined && !/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(diskId))
    throw new UsageError('USAGE', `"${diskId}" cannot be a disk id`, {
      hint: 'An id starts with a letter or "_" and has only letters, digits, "_", "-" and "."',
    });
  for (const path of images) {
    let convertTo: string | undefined;
    if (o.convertDisk) {
      const dir = await mkdtemp(join(tmpdir(), 'vessel-add-disk-'));
      temps.push(dir);
      convertTo = join(dir, `${basename(path).replace(/\.[^.]*$/, '') || 'disk'}.vmdk`);
    }
    const img = await readImage(path, convertTo);
    const name = memberName(img.path, packed);
    if (added.has(name)) throw new UsageError('USAGE', `Two files to add are both named "${name}"`);
    if (img.format === 'iso') {
      if (diskId !== undefined)
        throw new UsageError('USAGE', `--disk-id names a disk; "${path}" is an ISO image`);
      const fileId = ovf.addFile(env, { href: name, size: img.fileSize });
      ovf.insertMedia(env, sys, fileId, controller);
    } else if (diskId !== undefined && ovf.diskExists(env, diskId)) {
      if (controller !== undefined)
        throw new UsageError(
          'USAGE',
          `--controller with --disk-id "${diskId}": an existing disk keeps its drive`,
        );
      const fileId = ovf.addFile(env, { href: name, size: img.fileSize });
      ovf.replaceDiskImage(env, diskId, { fileId, capacityBytes: img.virtualSize, format: STREAM_VMDK_URI });
    } else {
      ovf.addDisk(env, sys, {
        href: name,
        fileSize: img.fileSize,
        capacityBytes: img.virtualSize,
        format: STREAM_VMDK_URI,
        ...(diskId === undefined ? {} : { diskId }),
        ...(controller === undefined ? {} : { controller }),
      });
    }
    added.set(name, img.path);
  }
}
