import { readDevices, type VirtualSystemDefinition } from '../../model/index.js';
import { STREAM_VMDK_FORMAT } from '../../ova/index.js';
import {
  type DescriptorImages,
  type DriveImage,
  type OvfEnvelope,
  type PackageFileRef,
  writeSystemDescriptor,
} from '../../ovf/index.js';
import { carriedSections, type DeployedPackage } from './deployed.js';
import type { ExportTarget } from './target.js';

/** A disk of the system as the package stores it: a streamOptimized VMDK File and its Disk. */
export interface PackageDiskPlan {
  /** The disk drive RASD's InstanceID. */
  instanceId: string;
  diskId: string;
  fileId: string;
  href: string;
  capacityBytes: bigint;
}

/** A CD/DVD or floppy image stored in the package as it is (HostResource `ovf:/file/ID`). */
export interface PackageMediaPlan {
  instanceId: string;
  fileId: string;
  href: string;
}

/** Everything the descriptor is built from. */
export interface DescriptorInput {
  definition: VirtualSystemDefinition;
  disks: PackageDiskPlan[];
  media: PackageMediaPlan[];
  /** Drives written without their image, with why (others without a package file get a general note). */
  emptied: readonly { instanceId: string; reason: string }[];
  deployed?: DeployedPackage | undefined;
}

/** How the descriptor is written. */
export interface DescriptorOptions {
  ovfVersion: '1.0' | '2.0';
  target: ExportTarget;
  /** Keep NIC MAC addresses (by default they are left out, as ovftool does, so copies get new ones). */
  keepMacs?: boolean | undefined;
}

/** The package's Files, Disks (streamOptimized VMDKs) and which drive holds which. */
function exportImages(input: DescriptorInput): DescriptorImages {
  const files: PackageFileRef[] = input.disks.map((d) => ({ id: d.fileId, href: d.href }));
  for (const m of input.media)
    if (!files.some((f) => f.id === m.fileId)) files.push({ id: m.fileId, href: m.href });
  const drives = new Map<string, DriveImage>();
  for (const e of input.emptied) drives.set(e.instanceId, { empty: e.reason });
  for (const d of input.disks) drives.set(d.instanceId, { disk: d.diskId });
  for (const m of input.media) drives.set(m.instanceId, { file: m.fileId });
  return {
    files,
    disks: input.disks.map((d) => ({
      diskId: d.diskId,
      fileRef: d.fileId,
      capacityBytes: d.capacityBytes,
      format: STREAM_VMDK_FORMAT,
    })),
    drives,
  };
}

/**
 * Builds the descriptor of an export through the one OVF writer (`writeSystemDescriptor`): disks as
 * streamOptimized VMDK Files, images as they are, MACs left out unless asked, devices spelled for the target, and
 * what a deploy recorded (product, properties with the values given at deploy and no password values, EULA,
 * annotation, guest OS, transport). File sizes and `ovf:populatedSize` are filled in by the packer once the disks
 * are written.
 */
export function buildExportDescriptor(
  input: DescriptorInput,
  o: DescriptorOptions,
): { env: OvfEnvelope; notes: string[] } {
  const def = input.definition;
  const name = def.system.ElementName ?? 'vm';
  const carried = input.deployed === undefined ? undefined : carriedSections(input.deployed, name);
  const { env, notes } = writeSystemDescriptor(def, readDevices(def), {
    ovfVersion: o.ovfVersion,
    target: o.target,
    images: exportImages(input),
    carried,
    keepMacs: o.keepMacs,
  });
  return { env, notes: notes.map((n) => n.message) };
}
