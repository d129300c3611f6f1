import { type ControllerKind, type HostLimits, type NicModel, ResourceType, spell } from '../model/index.js';
import { C } from './naming.js';

/**
 * The host's primordial resource pools, one per resource type it allocates (DSP1041 §7.2), with the class and the
 * Default / Minimum / Maximum / Increment templates of their allocation capabilities (DSP1043 §7.3).
 */
export interface PoolSpec {
  /** PoolID, also the last part of the pool's InstanceID. */
  id: string;
  resourceType: number;
  name: string;
  /** The RASD class of its templates and allocations. */
  settingClass: string;
  /** The profile whose central class the pool is (DSP1044/1045/1047/1050; DSP1041 for the rest). */
  profile: string;
  /** The units of the templates (AllocationUnits and VirtualQuantityUnits) and of Capacity and Reserved. */
  units?: string;
  /** Default, minimum, maximum and increment of VirtualQuantity for this host. */
  quantities?: (limits: HostLimits) => [bigint, bigint, bigint, bigint];
  /** Capacity and its unit, from the host's limits. */
  capacity?: (limits: HostLimits) => bigint;
  /**
   * The ResourceSubType of the pool and of its default template: the model's word or Vessel's spelling of the
   * kind it allocates by default (`spell(kind, 'vessel')`, a drive kind), as RASDs show theirs (facts.ts).
   */
  defaultSubType?: string;
}

/** ResourceSubType as Vessel spells a controller kind or NIC model. */
const vesselSubType = (what: ControllerKind | NicModel): string =>
  spell(what, 'vessel')?.ResourceSubType ?? what;

/** The pools, in the order they are enumerated. */
export const POOLS: readonly PoolSpec[] = [
  {
    id: 'Processor',
    resourceType: ResourceType.Processor,
    name: 'Virtual processors',
    settingClass: C.rasd,
    profile: 'DSP1044',
    units: 'count',
    quantities: (l) => [1n, 1n, BigInt(l.cpus), 1n],
    capacity: (l) => BigInt(l.cpus),
  },
  {
    id: 'Memory',
    resourceType: ResourceType.Memory,
    name: 'Memory',
    settingClass: C.rasd,
    profile: 'DSP1045',
    units: 'byte * 2^20',
    quantities: (l) => [512n, 16n, l.memoryBytes >> 20n, 1n],
    capacity: (l) => l.memoryBytes >> 20n,
  },
  {
    id: 'IDEController',
    resourceType: ResourceType.IdeController,
    name: 'IDE controllers',
    settingClass: C.rasd,
    profile: 'DSP1041',
    defaultSubType: vesselSubType('ide'),
  },
  {
    id: 'SCSIController',
    resourceType: ResourceType.ParallelScsiHba,
    name: 'SCSI controllers',
    settingClass: C.rasd,
    profile: 'DSP1041',
    defaultSubType: vesselSubType('lsilogic'),
  },
  {
    id: 'StorageController',
    resourceType: ResourceType.OtherStorageDevice,
    name: 'SATA, NVMe and virtio controllers',
    settingClass: C.rasd,
    profile: 'DSP1041',
    defaultSubType: vesselSubType('ahci'),
  },
  {
    id: 'DiskDrive',
    defaultSubType: 'disk',
    resourceType: ResourceType.DiskDrive,
    name: 'Disk drives',
    settingClass: C.rasd,
    profile: 'DSP1047',
  },
  {
    id: 'CDDrive',
    defaultSubType: 'cdrom',
    resourceType: ResourceType.CdDrive,
    name: 'CD drives',
    settingClass: C.rasd,
    profile: 'DSP1047',
  },
  {
    id: 'DVDDrive',
    defaultSubType: 'cdrom',
    resourceType: ResourceType.DvdDrive,
    name: 'DVD drives',
    settingClass: C.rasd,
    profile: 'DSP1047',
  },
  {
    id: 'LogicalDisk',
    defaultSubType: 'disk',
    resourceType: ResourceType.LogicalDisk,
    name: 'Virtual disks',
    settingClass: C.sasd,
    profile: 'DSP1047',
  },
  {
    id: 'EthernetAdapter',
    resourceType: ResourceType.EthernetAdapter,
    name: 'Ethernet adapters',
    settingClass: C.rasd,
    profile: 'DSP1050',
    defaultSubType: vesselSubType('virtio'),
  },
  {
    id: 'EthernetConnection',
    resourceType: ResourceType.EthernetConnection,
    name: 'Ethernet connections',
    settingClass: C.epasd,
    profile: 'DSP1050',
  },
  {
    id: 'SerialPort',
    resourceType: ResourceType.SerialPort,
    name: 'Serial ports',
    settingClass: C.rasd,
    profile: 'DSP1041',
  },
  {
    id: 'USBController',
    resourceType: ResourceType.UsbController,
    name: 'USB controllers',
    settingClass: C.rasd,
    profile: 'DSP1041',
  },
  {
    id: 'Graphics',
    resourceType: ResourceType.GraphicsController,
    name: 'Graphics controllers',
    settingClass: C.rasd,
    profile: 'DSP1041',
  },
];

const BY_TYPE = new Map(POOLS.map((p) => [p.resourceType, p]));

/** The pool of a ResourceType, or undefined when the host has none for it. */
export function poolForType(type: number): PoolSpec | undefined {
  return BY_TYPE.get(type);
}

/** The PoolID a RASD of this type is allocated from, or undefined. */
export function poolIdForType(type: number): string | undefined {
  return BY_TYPE.get(type)?.id;
}

/** A pool by PoolID. */
export function poolById(id: string): PoolSpec | undefined {
  return POOLS.find((p) => p.id === id);
}

/** InstanceID of a pool, of its allocation capabilities, and of its templates. */
export const poolIds = {
  pool: (p: PoolSpec) => `Vessel:Pool/${p.id}`,
  caps: (p: PoolSpec) => `Vessel:AllocationCapabilities/${p.id}`,
  template: (p: PoolSpec, role: TemplateRole) => `Vessel:Template/${p.id}/${role}`,
};

/**
 * The primordial pool that the host's configured storage pools are drawn from (DSP1047): Logical Disk
 * (ResourceType 31), the virtual disks whose images the storage pools hold.
 */
export const STORAGE_PARENT_POOL = 'LogicalDisk';

/**
 * PoolID and InstanceID of a configured storage pool, from its name: stable for as long as the pool exists, and
 * under `Pool/`, which no setting InstanceID uses (see parseSettingId).
 */
export const storagePoolIds = {
  poolId: (name: string) => `Storage/${name}`,
  pool: (name: string) => `Vessel:Pool/Storage/${name}`,
  /** The pool name of a PoolID (`Storage/NAME`), or undefined when it names no configured pool's form. */
  nameOf: (poolId: string): string | undefined =>
    poolId.startsWith('Storage/') && poolId.length > 8 ? poolId.slice(8) : undefined,
};

/** The four templates of DSP1043 §7.3 and their ValueRole/ValueRange on SettingsDefineCapabilities. */
export const TEMPLATES = {
  Default: { valueRole: '0', valueRange: '0' },
  Minimum: { valueRole: '3', valueRange: '1' },
  Maximum: { valueRole: '3', valueRange: '2' },
  Increment: { valueRole: '3', valueRange: '3' },
} as const;

/** One of the template names. */
export type TemplateRole = keyof typeof TEMPLATES;
