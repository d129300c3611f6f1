import type { Resource } from './types.js';

/**
 * The create form's model and the definition it builds (VSSD + RASDs with DMTF names and DSP1041 ResourceType
 * values, laid out as the host's own builder does: CPUs, memory, controllers, disks, CD/DVD drives, NICs, a serial
 * port), and which form field each resource came from, so the host's refusal can be shown on that field.
 */

/** What the create form holds (text as typed; the host validates). */
export interface CreateForm {
  name: string;
  cpus: string;
  memoryMiB: string;
  firmware: 'bios' | 'efi';
  diskBus: 'ide' | 'virtio-scsi';
  /** Disks: an image in a storage pool (its absolute path), or a new empty disk the host creates. */
  disks: (string | NewDiskField)[];
  /** CD/DVD images; an empty string is an empty drive. */
  cdroms: string[];
  nics: { network: string; model: string; mac: string }[];
}

/** A new empty disk as the form holds it: its size as typed, in MiB or GiB, and the pool it is made in. */
export interface NewDiskField {
  size: string;
  unit: 'MiB' | 'GiB';
  pool: string;
}

/** VirtualQuantityUnits of each size unit the form offers (DSP0004 programmatic units, exact). */
const UNITS: Readonly<Record<NewDiskField['unit'], string>> = { MiB: 'byte*2^20', GiB: 'byte*2^30' };

/** A definition as POST /systems takes it. */
export interface Definition {
  system: Record<string, string | string[]>;
  resources: Resource[];
}

/**
 * A form field: `name`, `cpus`, `memory`, `firmware`, `disk-N`, `disk-N-size`, `disk-N-pool`, `cdrom-N`, `nic-N`
 * (N from 0).
 */
export type FieldKey = string;

/**
 * The definition of a form, and the field of each InstanceID (resource N of the list has InstanceID N + 1); a new
 * disk's members have fields of their own, keyed `ID/PoolID` (the pool) beside `ID` (its size). A new disk is a
 * disk RASD with VirtualQuantity in exact units, PoolID and no HostResource (DSP1047): the host makes its image.
 */
export function buildFromForm(f: CreateForm): { def: Definition; fieldOf: Map<string, FieldKey> } {
  const resources: Resource[] = [];
  const fieldOf = new Map<string, FieldKey>();
  const add = (properties: Record<string, string | string[]>, field?: FieldKey): string => {
    const id = String(resources.length + 1);
    resources.push({
      cimClass: 'CIM_ResourceAllocationSettingData',
      properties: { InstanceID: id, ...properties },
    });
    if (field !== undefined) fieldOf.set(id, field);
    return id;
  };
  add(
    {
      ResourceType: '3',
      ElementName: `${f.cpus} virtual CPU(s)`,
      AllocationUnits: 'hertz * 10^6',
      VirtualQuantity: f.cpus.trim(),
    },
    'cpus',
  );
  add(
    {
      ResourceType: '4',
      ElementName: 'Memory',
      AllocationUnits: 'byte * 2^20',
      VirtualQuantity: f.memoryMiB.trim(),
    },
    'memory',
  );
  const ide = f.diskBus === 'ide' ? f.disks.length + f.cdroms.length : f.cdroms.length;
  const ideSlots: Array<[string, number]> = [];
  if (ide > 0) {
    const c0 = add({
      ElementName: 'IDE Controller 0',
      Address: '0',
      ResourceType: '5',
      ResourceSubType: 'PIIX4',
    });
    ideSlots.push([c0, 0], [c0, 1]);
    if (ide > 2) {
      const c1 = add({
        ElementName: 'IDE Controller 1',
        Address: '1',
        ResourceType: '5',
        ResourceSubType: 'PIIX4',
      });
      ideSlots.push([c1, 0], [c1, 1]);
    }
  }
  const scsi =
    f.diskBus === 'virtio-scsi' && f.disks.length > 0
      ? add({
          ElementName: 'SCSI Controller 0',
          ResourceType: '6',
          ResourceSubType: 'virtio-scsi',
          Address: '0',
        })
      : undefined;
  // Past four IDE drives the slot is left out: the host says which drive does not fit.
  const place = (i: number, disk: boolean): Record<string, string> => {
    const slot: [string, number] | undefined = disk && scsi !== undefined ? [scsi, i] : ideSlots.shift();
    return slot === undefined ? {} : { Parent: slot[0], AddressOnParent: String(slot[1]) };
  };
  f.disks.forEach((disk, i) => {
    if (typeof disk !== 'string') {
      const id = add(
        {
          ResourceType: '17',
          ElementName: `Hard disk ${i + 1}`,
          VirtualQuantity: disk.size.trim(),
          VirtualQuantityUnits: UNITS[disk.unit],
          ...(disk.pool === '' ? {} : { PoolID: disk.pool }),
          ...place(i, true),
        },
        `disk-${i}-size`,
      );
      fieldOf.set(`${id}/PoolID`, `disk-${i}-pool`);
      return;
    }
    add(
      {
        ResourceType: '17',
        ElementName: `Hard disk ${i + 1}`,
        ...(disk.trim() === '' ? {} : { HostResource: [disk.trim()] }),
        ...place(i, true),
      },
      `disk-${i}`,
    );
  });
  f.cdroms.forEach((image, i) => {
    add(
      {
        ResourceType: '15',
        ElementName: `CD/DVD drive ${i + 1}`,
        ...(image.trim() === '' ? {} : { HostResource: [image.trim()] }),
        ...place(i, false),
      },
      `cdrom-${i}`,
    );
  });
  f.nics.forEach((n, i) => {
    add(
      {
        ResourceType: '10',
        ElementName: `Network adapter ${i + 1}`,
        ...(n.model === '' ? {} : { ResourceSubType: n.model }),
        ...(n.network === '' ? {} : { Connection: [n.network] }),
        AutomaticAllocation: 'true',
        ...(n.mac.trim() === '' ? {} : { Address: n.mac.trim() }),
      },
      `nic-${i}`,
    );
  });
  add({ ResourceType: '21', ElementName: 'Serial port 1' });
  const system: Record<string, string | string[]> = {
    ElementName: f.name,
    VirtualSystemType: 'vessel-qemu',
    Firmware: f.firmware,
  };
  return { def: { system, resources }, fieldOf };
}
