import type { VirtualSystemDefinition } from '../../model/index.js';
import type { XmlAttribute, XmlElement } from '../../xml/index.js';
import type { OvfSection } from '../types.js';
import type { DescriptorTarget } from './target.js';

/** The shapes the one OVF system-descriptor writer takes and gives (see descriptor.ts). */

/** What a note is about; the codes are those `vessel convert` reports warnings under. */
export type DescriptorNoteCode =
  | 'DEVICE'
  | 'CONTROLLER'
  | 'NIC_MODEL'
  | 'MEMORY'
  | 'SERIAL'
  | 'CONFIGURATION'
  | 'PRODUCT'
  | 'DISK_NAME';

/** Something the writer changed or left out, said precisely. */
export interface DescriptorNote {
  code: DescriptorNoteCode;
  message: string;
}

/** A File of the package (References/File). */
export interface PackageFileRef {
  id: string;
  href: string;
  /** The file's size in bytes, when known now (a packer fills it in otherwise). */
  size?: bigint | undefined;
}

/** A Disk of the package (DiskSection/Disk): its capacity, and the File holding its image (none: blank). */
export interface PackageDiskRef {
  diskId: string;
  fileRef?: string | undefined;
  capacityBytes: bigint;
  /** The `ovf:format` URI of the image. */
  format?: string | undefined;
}

/** What a drive holds in the package: a Disk, a File (an ISO or floppy image), or nothing, with why. */
export type DriveImage = { disk: string } | { file: string } | { empty: string };

/** The files and disks of the package, and which drive (by InstanceID) holds which. */
export interface DescriptorImages {
  files: readonly PackageFileRef[];
  disks: readonly PackageDiskRef[];
  /** Drives not listed that name an image are written empty, with a note. */
  drives: ReadonlyMap<string, DriveImage>;
}

/** What OVF says about an item beyond its RASD, carried from a source descriptor by InstanceID. */
export interface CarriedItem {
  required?: string | undefined;
  attrs: XmlAttribute[];
  extra: XmlElement[];
}

/**
 * What a descriptor carries over from a package the system came from (a deploy's record, or the OVF input of a
 * conversion): sections it writes as they are, and what the hardware section said besides its items.
 */
export interface CarriedSections {
  /** Sections of the VirtualSystem: ProductSection, EulaSection, AnnotationSection, OperatingSystemSection,
   *  vendor sections; in the package's order. The OS goes before the hardware, the rest after it. */
  sections: OvfSection[];
  /** Envelope sections: NetworkSection (its descriptions), DeploymentOptionSection, vendor sections. */
  envelope?: OvfSection[] | undefined;
  /** The VirtualHardwareSection's `ovf:transport` (how the guest reads its properties). */
  transport?: string | undefined;
  /** The VirtualHardwareSection's extension elements (`vmw:Config` ...), Vessel's own firmware and boot order aside. */
  hardwareExtras?: XmlElement[] | undefined;
  /** `ovf:required` and vendor XML of the source's items, by InstanceID. */
  items?: ReadonlyMap<string, CarriedItem> | undefined;
  /** Namespace declarations the carried XML uses, [prefix, uri]. */
  nsDecls?: Array<[string, string]> | undefined;
  /** What was changed on the way, said precisely. */
  notes: string[];
}

/** The guest operating system as OperatingSystemSection says it (DSP0243 §9.7). */
export interface GuestOsFacts {
  /** CIM_OperatingSystem.OSType. */
  id: number;
  description: string;
  /** VMware's guest id (`vmw:osType`). */
  vmware?: string | undefined;
  /** VirtualBox's OS type (`vbox:OSType`). */
  vbox?: string | undefined;
}

/** How a system descriptor is written. */
export interface SystemDescriptorOptions {
  ovfVersion: '1.0' | '2.0';
  target: DescriptorTarget;
  images: DescriptorImages;
  carried?: CarriedSections | undefined;
  /** Keep NIC MAC addresses (an export leaves them out by default, so copies get their own). */
  keepMacs?: boolean | undefined;
  /** The guest OS; default: 102 "Other 64-Bit" (VMware `otherGuest64`), unless a carried section says. */
  guestOs?: GuestOsFacts | undefined;
  /**
   * The definition under each deployment option of the carried DeploymentOptionSection, by id: their items are
   * written with `ovf:configuration` where they differ from the main definition's.
   */
  configurations?: ReadonlyMap<string, VirtualSystemDefinition> | undefined;
}
