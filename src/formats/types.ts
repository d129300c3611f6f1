import type { VirtualSystemDefinition } from '../model/index.js';
import type { OvfSource } from '../ovf/index.js';

/** The formats `vessel convert` reads and writes. */
export type FormatName = 'ovf' | 'vmx' | 'libvirt' | 'vbox' | 'hyperv' | 'kubevirt';

/** Every format name, in the order help texts list them. */
export const FORMAT_NAMES: readonly FormatName[] = ['ovf', 'vmx', 'libvirt', 'vbox', 'hyperv', 'kubevirt'];

/** What kind of information a conversion could not carry into its target. */
export type WarningCode =
  | 'CONFIGURATION'
  | 'PRODUCT'
  | 'SYSTEMS'
  | 'CONTROLLER'
  | 'DISK_POSITION'
  | 'DISK_FORMAT'
  | 'DISK_NAME'
  | 'NIC_MODEL'
  | 'NETWORK'
  | 'MAC'
  | 'MEMORY'
  | 'CPU'
  | 'FIRMWARE'
  | 'BOOT_ORDER'
  | 'GUEST_OS'
  | 'DEVICE'
  | 'SERIAL'
  | 'ANNOTATION';

/** One thing the target cannot express, said precisely: what was lost or changed, and to what. */
export interface ConversionWarning {
  code: WarningCode;
  message: string;
}

/**
 * A disk image the definition references (HostResource `ovf:/disk/<id>`): the file as the source names it, and
 * what is known of it. Formats reference disks their own way; this is the common ground.
 */
export interface PackageDisk {
  id: string;
  /** The image file: an OVF href, a vmx fileName, a libvirt source path, a vbox location. Undefined: blank disk. */
  file?: string | undefined;
  /** Virtual size in bytes, when known. */
  capacityBytes?: bigint | undefined;
  /** Image format, short and lower case: `vmdk`, `qcow2`, `vdi`, `vhd`, `vhdx`, `raw`, `iso`. */
  format?: string | undefined;
}

/** Another file the definition references as HostResource `ovf:/file/<id>`: a CD/DVD ISO or floppy image. */
export interface PackageFile {
  id: string;
  file: string;
  /** The image's size in bytes, when the source gives it (OVF `ovf:size`, a DataVolume's request, qemu-img). */
  sizeBytes?: bigint | undefined;
}

/** The guest operating system as OVF's OperatingSystemSection names it: a CIM_OperatingSystem.OSType value. */
export interface GuestOs {
  /** CIM_OperatingSystem.OSType (DSP0243 §9.7), e.g. 94 for Ubuntu 64-Bit. */
  osType: number;
  /** Free text, e.g. the product name and version. */
  description?: string | undefined;
  /** The exact VMware guest id when the source named one (vmx `guestOS`, OVF `vmw:osType`). */
  vmware?: string | undefined;
  /** The exact VirtualBox OSType id when the source named one. */
  vbox?: string | undefined;
}

/**
 * One virtual system as every converter reads and writes it: the one model (VSSD + RASDs, DMTF property names and
 * ResourceType values) plus the files its RASDs point at and the guest OS. Disks are referenced as `ovf:/disk/<id>`,
 * other images as `ovf:/file/<id>`, as in an OVF package; the firmware is the VSSD `Firmware` property.
 */
export interface SystemPackage {
  definition: VirtualSystemDefinition;
  disks: PackageDisk[];
  files: PackageFile[];
  guestOs?: GuestOs | undefined;
  /** The OVF package it was read from, when it was: an OVF target carries what the model does not hold. */
  ovf?: OvfSource | undefined;
}

/** A disk image the written output references: what to copy beside it, or upload (KubeVirt DataVolumes). */
export interface OutputDisk {
  /** The file as the source named it (a path for vmx/libvirt/vbox inputs, an href for OVF). */
  source?: string | undefined;
  /** The name the output uses for it: a file name, a path, or a KubeVirt DataVolume name. */
  target: string;
  capacityBytes?: bigint | undefined;
  format?: string | undefined;
  /** `disk`, `cdrom` or `floppy`. */
  kind: 'disk' | 'cdrom' | 'floppy';
}

/** What a conversion gives: the target document, what it could not express, and the images it references. */
export interface ConversionResult {
  from: FormatName;
  to: FormatName;
  output: string;
  warnings: ConversionWarning[];
  disks: OutputDisk[];
}
