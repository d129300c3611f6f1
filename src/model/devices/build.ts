import { ModelError } from '../errors.js';
import { ResourceType } from '../resource-type.js';
import type {
  RasdClass,
  RasdProperties,
  ResourceSetting,
  VirtualSystemDefinition,
  VssdProperties,
} from '../settings.js';
import type { UnitStyle } from '../units/convert.js';
import { quantityProperties } from '../units/quantity.js';
import { BOOT_ORDER_PROPERTY, FIRMWARE_PROPERTY } from './boot.js';
import { CONTROLLERS } from './kinds.js';
import { GRAPHICS_SPELLINGS, SOUND_SPELLINGS, spell, USB_SPELLINGS } from './spellings.js';
import type {
  BootOrder,
  ControllerKind,
  DriveKind,
  Firmware,
  GraphicsModel,
  NicModel,
  SoundModel,
  UsbModel,
} from './vocabulary.js';

/**
 * The one builder of definitions: RASDs with DMTF property names, ResourceType values and the spellings Vessel
 * writes (`spell(kind, 'vessel')`), sequential InstanceIDs, sizes through `quantityProperties`. The CLI's
 * `buildDefinition`, the native-format readers (through formats' `PackageBuilder`) and tests all build with it.
 */

const DRIVE_TYPES: Readonly<Record<DriveKind, number>> = {
  disk: ResourceType.DiskDrive,
  cdrom: ResourceType.CdDrive,
  floppy: ResourceType.FloppyDrive,
};

/** VirtualBox's ResourceType for sound cards, which the classifier reads as sound (no DMTF value exists). */
const SOUND_RESOURCE_TYPE = 35;

/** Where a drive sits: its controller's InstanceID and the slot on it (AddressOnParent). */
export interface DrivePlace {
  controller?: string | undefined;
  slot?: number | undefined;
}

/**
 * Builds a {@link VirtualSystemDefinition} device by device. Each method adds one RASD and returns its InstanceID
 * (`1`, `2`, ...), so that drives can name their controller and the boot order its devices.
 *
 * @example
 * const b = new DefinitionBuilder({ ElementName: 'web1' });
 * b.cpus(2);
 * b.memory(1n << 30n);
 * const scsi = b.controller('virtio-scsi');
 * const disk = b.drive('disk', { controller: scsi, slot: 0 }, '/images/web1.qcow2');
 * b.nic('virtio', 'default', '52:54:00:12:34:56');
 * const def = b.firmware('efi').bootOrder([disk]).build();
 */
export class DefinitionBuilder {
  readonly #system: VssdProperties;
  readonly #resources: ResourceSetting[] = [];
  readonly #style: UnitStyle;
  #next = 1;

  /** `style` is how sizes spell their units: `ovf1` (`byte * 2^20`, the default), `ovf2` or `cim`. */
  constructor(system: VssdProperties = {}, options: { style?: UnitStyle } = {}) {
    this.#system = { ...system };
    this.#style = options.style ?? 'ovf1';
  }

  /** Adds a RASD as given, with the next InstanceID first; returns that InstanceID. */
  add(properties: RasdProperties, cimClass: RasdClass = 'CIM_ResourceAllocationSettingData'): string {
    const id = String(this.#next++);
    this.#resources.push({ cimClass, properties: { InstanceID: id, ...properties } });
    return id;
  }

  /** Adds the Processor setting: `count` virtual CPUs (a whole number, 1 or more). */
  cpus(count: number, name = `${count} virtual CPU(s)`): string {
    if (!Number.isInteger(count)) throw new ModelError('MODEL_INVALID', `CPU count ${count} is not whole`);
    return this.add({
      ResourceType: String(ResourceType.Processor),
      ElementName: name,
      AllocationUnits: 'hertz * 10^6',
      VirtualQuantity: String(count),
    });
  }

  /** Adds the Memory setting, in the largest binary unit that holds `bytes` exactly (`quantityProperties`). */
  memory(bytes: bigint, name = 'Memory'): string {
    return this.add({
      ResourceType: String(ResourceType.Memory),
      ElementName: name,
      ...quantityProperties(bytes, this.#style),
    });
  }

  /**
   * Adds a storage or USB host controller of a kind, spelt as Vessel writes it. `address` is the IDE channel or
   * SCSI bus number; `usb` names a USB controller's generation.
   */
  controller(kind: ControllerKind, o: { address?: number; usb?: UsbModel; name?: string } = {}): string {
    const spelt = spell(kind, 'vessel');
    const type = spelt?.ResourceType;
    if (type === undefined)
      throw new ModelError('MODEL_INVALID', `Vessel has no spelling for a ${kind} controller`);
    const sub = spelt?.ResourceSubType;
    const usb = o.usb === undefined ? undefined : USB_SPELLINGS[o.usb][0];
    const subType = kind === 'usb' ? usb : sub;
    const name =
      o.name ?? `${CONTROLLERS[kind].name} Controller${o.address === undefined ? '' : ` ${o.address}`}`;
    return this.add({
      ElementName: name,
      ...(o.address === undefined ? {} : { Address: String(o.address) }),
      ResourceType: type,
      ...(subType === undefined ? {} : { ResourceSubType: subType }),
    });
  }

  /**
   * Adds a disk, CD/DVD or floppy drive on a controller slot (both optional), with an image reference (a host
   * path, a `file:` URL or `ovf:/disk/<id>`, `ovf:/file/<id>`) or empty.
   */
  drive(
    kind: DriveKind,
    at: DrivePlace = {},
    image?: string,
    o: { name?: string; cimClass?: RasdClass } = {},
  ): string {
    const name = o.name ?? { disk: 'Hard disk', cdrom: 'CD/DVD drive', floppy: 'Floppy drive' }[kind];
    return this.add(
      {
        ResourceType: String(DRIVE_TYPES[kind]),
        ElementName: name,
        ...(image === undefined ? {} : { HostResource: [image] }),
        ...(at.controller === undefined ? {} : { Parent: at.controller }),
        ...(at.slot === undefined ? {} : { AddressOnParent: String(at.slot) }),
      },
      o.cimClass,
    );
  }

  /**
   * Adds a disk that asks the host for a new, empty image (DSP1047): its capacity in VirtualQuantity with exact
   * units (`quantityProperties` in the `cim` style, so VirtualQuantityUnits is given) and the storage pool in
   * PoolID (none: the host's default pool). See `newDiskOf`.
   */
  newDisk(at: DrivePlace, capacityBytes: bigint, pool?: string, o: { name?: string } = {}): string {
    const { VirtualQuantity, VirtualQuantityUnits } = quantityProperties(capacityBytes, 'cim');
    return this.add({
      ResourceType: String(ResourceType.DiskDrive),
      ElementName: o.name ?? 'Hard disk',
      VirtualQuantity: VirtualQuantity ?? String(capacityBytes),
      ...(VirtualQuantityUnits === undefined ? {} : { VirtualQuantityUnits }),
      ...(pool === undefined ? {} : { PoolID: pool }),
      ...(at.controller === undefined ? {} : { Parent: at.controller }),
      ...(at.slot === undefined ? {} : { AddressOnParent: String(at.slot) }),
    });
  }

  /**
   * Adds an Ethernet adapter of a model (spelt as Vessel writes it), or with a subtype kept as the source wrote it
   * (a model Vessel does not know), or with none; on `network`, with a MAC.
   */
  nic(
    model: NicModel | { subType: string } | undefined,
    network?: string,
    mac?: string,
    o: { name?: string } = {},
  ): string {
    const sub =
      model === undefined
        ? undefined
        : typeof model === 'string'
          ? spell(model, 'vessel')?.ResourceSubType
          : model.subType;
    return this.add({
      ResourceType: String(ResourceType.EthernetAdapter),
      ElementName: o.name ?? 'Network adapter',
      ...(sub === undefined ? {} : { ResourceSubType: sub }),
      ...(network === undefined ? {} : { Connection: [network] }),
      AutomaticAllocation: 'true',
      ...(mac === undefined ? {} : { Address: mac }),
    });
  }

  /** Adds a serial port; `backend` is where it goes (a file, pipe or URI), never a network. */
  serial(backend?: string, name = 'Serial port'): string {
    return this.add({
      ResourceType: String(ResourceType.SerialPort),
      ElementName: name,
      ...(backend === undefined ? {} : { Connection: [backend] }),
    });
  }

  /** Adds a graphics controller of a model (or none named); `vnc` asks for a VNC display (Connection `vnc`). */
  graphics(model?: GraphicsModel, o: { vnc?: boolean; name?: string } = {}): string {
    const sub = model === undefined ? undefined : GRAPHICS_SPELLINGS[model][0];
    return this.add({
      ResourceType: String(ResourceType.GraphicsController),
      ElementName: o.name ?? 'Video card',
      ...(sub === undefined ? {} : { ResourceSubType: sub }),
      ...(o.vnc ? { Connection: ['vnc'] } : {}),
    });
  }

  /** Adds a sound card (ResourceType 35, as VirtualBox writes them). */
  sound(model: SoundModel, name = 'Sound card'): string {
    return this.add({
      ResourceType: String(SOUND_RESOURCE_TYPE),
      ElementName: name,
      ResourceSubType: SOUND_SPELLINGS[model][0]!,
    });
  }

  /** Sets the VSSD Firmware (`bios` or `efi`); undefined leaves it to the target's default. */
  firmware(f: Firmware | undefined): this {
    if (f === undefined) delete this.#system[FIRMWARE_PROPERTY];
    else this.#system[FIRMWARE_PROPERTY] = f;
    return this;
  }

  /** Sets the VSSD BootOrder: InstanceIDs of drives and NICs, the first boots first; empty removes it. */
  bootOrder(ids: BootOrder): this {
    if (ids.length === 0) delete this.#system[BOOT_ORDER_PROPERTY];
    else this.#system[BOOT_ORDER_PROPERTY] = [...ids];
    return this;
  }

  /** The definition built so far (the builder keeps it; build once). */
  build(): VirtualSystemDefinition {
    return { system: this.#system, resources: this.#resources };
  }
}
