import { DefinitionBuilder } from './devices/build.js';
import { DISK_MODE_PROPERTY, type DiskMode } from './devices/disk-mode.js';
import type { ControllerKind } from './devices/vocabulary.js';
import { ModelError } from './errors.js';
import type { VirtualSystemDefinition } from './settings.js';

/** The bus `vessel vm define --disk-bus` puts disks on: IDE, SATA (AHCI), SCSI (LSI Logic), virtio-blk, NVMe. */
export type DiskBus = 'ide' | 'sata' | 'scsi' | 'virtio' | 'nvme';

/** A new, empty disk: its size and the storage pool it is made in (the host's default pool when absent). */
export interface NewDiskSpec {
  capacityBytes: bigint;
  pool?: string;
}

/** A short description of a virtual system, as `vessel vm define` flags give it. */
export interface SimpleSystemSpec {
  name: string;
  /** Becomes VirtualSystemIdentifier; the host assigns one when it is absent. */
  uuid?: string;
  description?: string;
  cpus: number;
  memoryBytes: bigint;
  /** Disks, attached in order: images (absolute paths), or new empty disks the host creates in a pool. */
  disks?: (string | NewDiskSpec)[];
  /** The bus the disks hang on; `ide` by default. */
  diskBus?: DiskBus;
  /** CD/DVD images (absolute paths), attached read-only on IDE after the disks. */
  cdroms?: string[];
  /** NICs: the network (`user` for user-mode networking), optional model (ResourceSubType) and MAC. */
  nics?: { network: string; model?: string; mac?: string }[];
  /** Adds a serial port (the console); true by default. */
  serial?: boolean;
  /** Adds a graphics controller; `vnc` also asks for a VNC display on localhost. */
  graphics?: 'none' | 'vga' | 'vnc';
  firmware?: 'bios' | 'efi';
  /** How the system writes its disks (VSSD DiskMode); absent: overlay, the host's default. */
  diskMode?: DiskMode;
}

/** The controller kind of each `--disk-bus`. */
const BUS_KINDS: Readonly<Record<DiskBus, ControllerKind>> = {
  ide: 'ide',
  scsi: 'lsilogic',
  sata: 'ahci',
  nvme: 'nvme',
  virtio: 'virtio-blk',
};

const tooMany = (n: number) => new ModelError('MODEL_INVALID', `Too many IDE drives: ${n}; at most 4`);

/**
 * Builds a definition (VSSD + RASDs with DMTF property names and ResourceType values) from a short description,
 * with the one {@link DefinitionBuilder}. Disks sit on one controller of `diskBus`; CDs sit on IDE (the secondary
 * channel when the disks use IDE). Memory is written in the largest binary unit that holds it exactly.
 *
 * @example
 * buildDefinition({ name: 'web1', cpus: 1, memoryBytes: 256n << 20n, disks: ['/images/web1.qcow2'],
 *   nics: [{ network: 'user' }] });
 */
export function buildDefinition(spec: SimpleSystemSpec): VirtualSystemDefinition {
  const b = new DefinitionBuilder({
    ElementName: spec.name,
    VirtualSystemType: 'vessel-qemu',
    ...(spec.uuid === undefined ? {} : { VirtualSystemIdentifier: spec.uuid }),
    ...(spec.description === undefined ? {} : { Description: spec.description }),
    ...(spec.diskMode === undefined ? {} : { [DISK_MODE_PROPERTY]: spec.diskMode }),
  });
  b.firmware(spec.firmware);
  b.cpus(spec.cpus);
  b.memory(spec.memoryBytes);
  const bus = spec.diskBus ?? 'ide';
  const disks = spec.disks ?? [];
  const cdroms = spec.cdroms ?? [];
  const ideSlots: [string, number][] = [];
  if (cdroms.length > 0 || (bus === 'ide' && disks.length > 0)) {
    const ide = [b.controller('ide', { address: 0 })];
    if ((bus === 'ide' ? disks.length : 0) + cdroms.length > 2) ide.push(b.controller('ide', { address: 1 }));
    for (const c of ide) ideSlots.push([c, 0], [c, 1]);
  }
  const diskCtl =
    bus === 'ide' || disks.length === 0
      ? undefined
      : b.controller(BUS_KINDS[bus], { address: 0, name: `${bus.toUpperCase()} Controller 0` });
  disks.forEach((disk, i) => {
    const slot: [string, number] | undefined = diskCtl === undefined ? ideSlots.shift() : [diskCtl, i];
    if (slot === undefined) throw tooMany(disks.length + cdroms.length);
    const at = { controller: slot[0], slot: slot[1] };
    const name = { name: `Hard disk ${i + 1}` };
    if (typeof disk === 'string') b.drive('disk', at, disk, name);
    else b.newDisk(at, disk.capacityBytes, disk.pool, name);
  });
  // CDs prefer the secondary IDE channel's master, as installers expect (hdc).
  if (bus === 'ide' && ideSlots.length > 2) ideSlots.splice(0, ideSlots.length - 2);
  cdroms.forEach((path, i) => {
    const slot = ideSlots.shift();
    if (slot === undefined) throw tooMany(disks.length + cdroms.length);
    b.drive('cdrom', { controller: slot[0], slot: slot[1] }, path, { name: `CD/DVD drive ${i + 1}` });
  });
  (spec.nics ?? []).forEach((nic, i) => {
    b.nic({ subType: nic.model ?? 'virtio' }, nic.network, nic.mac, { name: `Network adapter ${i + 1}` });
  });
  if (spec.serial ?? true) b.serial(undefined, 'Serial port 1');
  if (spec.graphics !== undefined && spec.graphics !== 'none')
    b.graphics('vga', { vnc: spec.graphics === 'vnc' });
  return b.build();
}
