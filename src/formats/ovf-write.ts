import { readDevices, type VirtualSystemDefinition } from '../model/index.js';
import {
  carryFromOvf,
  type DescriptorImages,
  type DriveImage,
  diskIdOf,
  fileIdOf,
  type OvfEnvelope,
  type PackageDiskRef,
  type PackageFileRef,
  writeSystemDescriptor,
} from '../ovf/index.js';
import { uriForFormat } from './disk-formats.js';
import { FormatError } from './errors.js';
import { cimOsDescription, vmwareGuestId } from './guest-os.js';
import { baseName, printable } from './paths.js';
import type { OutputDisk, SystemPackage } from './types.js';
import type { Warnings } from './warnings.js';

/**
 * Writes a {@link SystemPackage} as an OVF descriptor through the one OVF writer (`writeSystemDescriptor`,
 * generic target, MACs kept): disks in DiskSection with their files in References (by file name: an OVF package
 * holds its files beside the descriptor), CD/DVD and floppy images as Files, and the guest OS. A package read
 * from OVF keeps its OVF version, product sections, properties, EULA, deployment options and vendor sections. A
 * disk whose capacity is unknown throws `FORMAT_DISK_CAPACITY`.
 */
export function writeOvfPackage(
  pkg: SystemPackage,
  warnings: Warnings,
): { env: OvfEnvelope; disks: OutputDisk[] } {
  const source = pkg.ovf === undefined ? undefined : carryFromOvf(pkg.ovf);
  const variants = [...(source?.configurations?.values() ?? [])];
  const { images, disks } = packageImages(pkg, [pkg.definition, ...variants], warnings);
  const os = pkg.guestOs;
  const osType = os?.osType ?? 1;
  const { env, notes } = writeSystemDescriptor(pkg.definition, readDevices(pkg.definition), {
    ovfVersion: pkg.ovf?.env.generation === '2' ? '2.0' : '1.0',
    target: 'generic',
    images,
    keepMacs: true,
    guestOs: {
      id: osType,
      description: os?.description ?? cimOsDescription(osType) ?? 'Other',
      vmware: os === undefined ? undefined : vmwareGuestId(os),
      vbox: os?.vbox,
    },
    carried: source?.carried,
    configurations: source?.configurations,
  });
  for (const n of notes) warnings.add(n.code, n.message);
  return { env, disks };
}

/** The package's files (named by their base names, renamed when two collide) and which drive holds which. */
function packageImages(
  pkg: SystemPackage,
  definitions: readonly VirtualSystemDefinition[],
  warnings: Warnings,
): { images: DescriptorImages; disks: OutputDisk[] } {
  const hrefs = new Set<string>();
  const files: PackageFileRef[] = [];
  const out: OutputDisk[] = [];
  const reference = (source: string, what: string): PackageFileRef => {
    let href = baseName(source);
    if (hrefs.has(href)) {
      const dot = href.lastIndexOf('.');
      const stem = dot > 0 ? href.slice(0, dot) : href;
      const extn = dot > 0 ? href.slice(dot) : '';
      let n = 2;
      while (hrefs.has(`${stem}-${n}${extn}`)) n++;
      const renamed = `${stem}-${n}${extn}`;
      warnings.add(
        'DISK_NAME',
        `${what}: "${printable(source)}" has the same file name as another image; written as "${renamed}"`,
      );
      href = renamed;
    }
    hrefs.add(href);
    const ref = { id: `file${files.length + 1}`, href };
    files.push(ref);
    return ref;
  };
  const disks: PackageDiskRef[] = [];
  for (const d of pkg.disks) {
    if (d.capacityBytes === undefined) {
      throw new FormatError(
        'FORMAT_DISK_CAPACITY',
        `Disk "${d.id}"${d.file ? ` (${printable(d.file)})` : ''}: its capacity is unknown, and an OVF Disk needs one`,
        { hint: 'Keep the image beside the input, so that vessel convert can read its size with qemu-img.' },
      );
    }
    const ref = d.file === undefined ? undefined : reference(d.file, `Disk "${d.id}"`);
    disks.push({
      diskId: d.id,
      capacityBytes: d.capacityBytes,
      fileRef: ref?.id,
      format: uriForFormat(d.format),
    });
    if (ref)
      out.push({
        source: d.file,
        target: ref.href,
        capacityBytes: d.capacityBytes,
        format: d.format,
        kind: 'disk',
      });
  }
  const fileIds = new Map<string, string>();
  for (const f of pkg.files) {
    const ref = reference(f.file, `Image "${f.id}"`);
    fileIds.set(f.id, ref.id);
    out.push({ source: f.file, target: ref.href, kind: 'cdrom' });
  }
  const diskIds = new Set(pkg.disks.map((d) => d.id));
  const drives = new Map<string, DriveImage>();
  for (const def of definitions) {
    def.resources.forEach((r, i) => {
      const host = r.properties.HostResource?.[0];
      const id = r.properties.InstanceID ?? `#${i + 1}`;
      const disk = diskIdOf(host);
      const file = fileIdOf(host);
      if (disk !== undefined && diskIds.has(disk)) drives.set(id, { disk });
      else if (file !== undefined && fileIds.has(file)) drives.set(id, { file: fileIds.get(file)! });
    });
  }
  return { images: { files, disks, drives }, disks: out };
}
