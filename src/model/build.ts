import { ModelError } from './errors.js';
import { ResourceType } from './resource-type.js';
import type { RasdProperties, ResourceSetting, VirtualSystemDefinition } from './settings.js';

/** The bus `vessel vm define --disk-bus` puts disks on: IDE, SATA (AHCI), SCSI (LSI Logic), virtio-blk, NVMe. */
export type DiskBus = 'ide' | 'sata' | 'scsi' | 'virtio' | 'nvme';

/** A short description of a virtual system, as `vessel vm define` flags give it. */
export interface SimpleSystemSpec {
  name: string;
  /** Becomes VirtualSystemIdentifier; the host assigns one when it is absent. */
  uuid?: string;
  description?: string;
  cpus: number;
  memoryBytes: bigint;
  /** Disk images (absolute paths), attached in order. */
  disks?: string[];
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
}

/** The VSSD property Vessel reads the firmware from (`bios` or `efi`); a Vessel extension, as CIM has none. */
export const FIRMWARE_PROPERTY = 'Firmware';

const CONTROLLER: Record<DiskBus, Pick<RasdProperties, 'ResourceType' | 'ResourceSubType'>> = {
  ide: { ResourceType: String(ResourceType.IdeController), ResourceSubType: 'PIIX4' },
  scsi: { ResourceType: String(ResourceType.ParallelScsiHba), ResourceSubType: 'lsilogic' },
  sata: { ResourceType: String(ResourceType.OtherStorageDevice), ResourceSubType: 'AHCI' },
  nvme: { ResourceType: String(ResourceType.OtherStorageDevice), ResourceSubType: 'NVMe' },
  virtio: { ResourceType: String(ResourceType.OtherStorageDevice), ResourceSubType: 'virtio' },
};

/**
 * Builds a definition (VSSD + RASDs with DMTF property names and ResourceType values) from a short description.
 * Disks sit on one controller of `diskBus`; CDs sit on IDE (the secondary channel when the disks use IDE).
 *
 * @example
 * buildDefinition({ name: 'web1', cpus: 1, memoryBytes: 256n << 20n, disks: ['/images/web1.qcow2'],
 *   nics: [{ network: 'user' }] });
 */
export function buildDefinition(spec: SimpleSystemSpec): VirtualSystemDefinition {
  if (!Number.isInteger(spec.cpus))
    throw new ModelError('MODEL_INVALID', `CPU count ${spec.cpus} is not whole`);
  const resources: ResourceSetting[] = [];
  let next = 1;
  const add = (properties: RasdProperties): string => {
    const id = String(next++);
    resources.push({
      cimClass: 'CIM_ResourceAllocationSettingData',
      properties: { InstanceID: id, ...properties },
    });
    return id;
  };
  add({
    ResourceType: String(ResourceType.Processor),
    ElementName: `${spec.cpus} virtual CPU(s)`,
    AllocationUnits: 'hertz * 10^6',
    VirtualQuantity: String(spec.cpus),
  });
  const mib = spec.memoryBytes % (1n << 20n) === 0n;
  add({
    ResourceType: String(ResourceType.Memory),
    ElementName: 'Memory',
    AllocationUnits: mib ? 'byte * 2^20' : 'byte',
    VirtualQuantity: String(mib ? spec.memoryBytes >> 20n : spec.memoryBytes),
  });
  const bus = spec.diskBus ?? 'ide';
  const disks = spec.disks ?? [];
  const cdroms = spec.cdroms ?? [];
  let ide: string[] = [];
  const ideSlots: [string, number][] = [];
  const needIde = cdroms.length > 0 || (bus === 'ide' && disks.length > 0);
  if (needIde) {
    ide = [add({ ElementName: 'IDE Controller 0', Address: '0', ...CONTROLLER.ide })];
    if ((bus === 'ide' ? disks.length : 0) + cdroms.length > 2) {
      ide.push(add({ ElementName: 'IDE Controller 1', Address: '1', ...CONTROLLER.ide }));
    }
    for (const c of ide) ideSlots.push([c, 0], [c, 1]);
  }
  const diskCtl =
    bus === 'ide'
      ? undefined
      : disks.length > 0
        ? add({ ElementName: `${bus.toUpperCase()} Controller 0`, Address: '0', ...CONTROLLER[bus] })
        : undefined;
  disks.forEach((path, i) => {
    const slot: [string, number] | undefined = diskCtl === undefined ? ideSlots.shift() : [diskCtl, i];
    if (slot === undefined)
      throw new ModelError(
        'MODEL_INVALID',
        `Too many IDE drives: ${disks.length + cdroms.length}; at most 4`,
      );
    add({
      ResourceType: String(ResourceType.DiskDrive),
      ElementName: `Hard disk ${i + 1}`,
      HostResource: [path],
      Parent: slot[0],
      AddressOnParent: String(slot[1]),
    });
  });
  // CDs prefer the secondary IDE channel's master, as installers expect (hdc).
  if (bus === 'ide' && ideSlots.length > 2) ideSlots.splice(0, ideSlots.length - 2);
  cdroms.forEach((path, i) => {
    const slot = ideSlots.shift();
    if (slot === undefined)
      throw new ModelError(
        'MODEL_INVALID',
        `Too many IDE drives: ${disks.length + cdroms.length}; at most 4`,
      );
    add({
      ResourceType: String(ResourceType.CdDrive),
      ElementName: `CD/DVD drive ${i + 1}`,
      HostResource: [path],
      Parent: slot[0],
      AddressOnParent: String(slot[1]),
    });
  });
  (spec.nics ?? []).forEach((nic, i) => {
    add({
      ResourceType: String(ResourceType.EthernetAdapter),
      ElementName: `Network adapter ${i + 1}`,
      ResourceSubType: nic.model ?? 'virtio',
      Connection: [nic.network],
      AutomaticAllocation: 'true',
      ...(nic.mac === undefined ? {} : { Address: nic.mac }),
    });
  });
  if (spec.serial ?? true)
    add({ ResourceType: String(ResourceType.SerialPort), ElementName: 'Serial port 1' });
  if (spec.graphics !== undefined && spec.graphics !== 'none') {
    add({
      ResourceType: String(ResourceType.GraphicsController),
      ElementName: 'Video card',
      ResourceSubType: 'vga',
      ...(spec.graphics === 'vnc' ? { Connection: ['vnc'] } : {}),
    });
  }
  return {
    system: {
      ElementName: spec.name,
      VirtualSystemType: 'vessel-qemu',
      ...(spec.uuid === undefined ? {} : { VirtualSystemIdentifier: spec.uuid }),
      ...(spec.description === undefined ? {} : { Description: spec.description }),
      ...(spec.firmware === undefined ? {} : { [FIRMWARE_PROPERTY]: spec.firmware }),
    },
    resources,
  };
}
