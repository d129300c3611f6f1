import type { RasdProperties, ResourceSetting, VssdProperties } from '../model/index.js';
import { type Bus, controllerRasd, type NicModel, nicSubType, type ScsiModel } from './devices.js';
import type { GuestOs, PackageDisk, PackageFile, SystemPackage } from './types.js';

/**
 * Builds a {@link SystemPackage} the way the native-format readers need: RASDs with DMTF property names and
 * ResourceType values, sequential InstanceIDs, disks referenced as `ovf:/disk/<id>` and images as `ovf:/file/<id>`.
 *
 * @example
 * const b = new PackageBuilder({ ElementName: 'web1' });
 * b.cpus(2); b.memory(1n << 30n);
 * const scsi = b.controller('scsi', 'lsilogic');
 * b.disk(scsi, 0, { file: 'web1.vmdk', format: 'vmdk' });
 * const pkg = b.build();
 */
export class PackageBuilder {
  readonly #resources: ResourceSetting[] = [];
  readonly #disks: PackageDisk[] = [];
  readonly #files: PackageFile[] = [];
  #next = 1;
  #nics = 0;

  constructor(readonly system: VssdProperties) {}

  #add(properties: RasdProperties): string {
    const id = String(this.#next++);
    this.#resources.push({
      cimClass: 'CIM_ResourceAllocationSettingData',
      properties: { InstanceID: id, ...properties },
    });
    return id;
  }

  /** Adds the Processor setting. */
  cpus(count: number): void {
    this.#add({
      ResourceType: '3',
      ElementName: `${count} virtual CPU(s)`,
      AllocationUnits: 'hertz * 10^6',
      VirtualQuantity: String(count),
    });
  }

  /** Adds the Memory setting, in MiB when whole, else in bytes (exact either way). */
  memory(bytes: bigint): void {
    const mib = bytes % (1n << 20n) === 0n;
    this.#add({
      ResourceType: '4',
      ElementName: mib ? `${bytes >> 20n}MB of memory` : `${bytes} bytes of memory`,
      AllocationUnits: mib ? 'byte * 2^20' : 'byte',
      VirtualQuantity: String(mib ? bytes >> 20n : bytes),
    });
  }

  /** Adds a storage controller; `address` is the IDE channel or SCSI bus number. Returns its InstanceID. */
  controller(bus: Bus, model?: ScsiModel, address?: number): string {
    const name = { ide: 'IDE', sata: 'SATA', scsi: 'SCSI', nvme: 'NVMe', virtio: 'VirtIO' }[bus];
    return this.#add({
      ElementName: `${name} Controller${address === undefined ? '' : ` ${address}`}`,
      ...controllerRasd(bus, model),
      ...(address === undefined ? {} : { Address: String(address) }),
    });
  }

  /** Adds a disk image and its Disk Drive on a controller slot. */
  disk(controller: string | undefined, position: number | undefined, image: Omit<PackageDisk, 'id'>): string {
    const id = `vmdisk${this.#disks.length + 1}`;
    this.#disks.push({ id, ...image });
    return this.#add({
      ResourceType: '17',
      ElementName: `Hard disk ${this.#disks.length}`,
      HostResource: [`ovf:/disk/${id}`],
      ...(controller === undefined ? {} : { Parent: controller }),
      ...(position === undefined ? {} : { AddressOnParent: String(position) }),
    });
  }

  /** Adds a CD/DVD drive, with an ISO image or empty. */
  cdrom(controller: string | undefined, position: number | undefined, file?: string): string {
    return this.#add({
      ResourceType: '15',
      ElementName: 'CD/DVD drive',
      ...this.#image(file),
      ...(controller === undefined ? {} : { Parent: controller }),
      ...(position === undefined ? {} : { AddressOnParent: String(position) }),
    });
  }

  /** Adds a floppy drive, with an image or empty. */
  floppy(file?: string): string {
    return this.#add({ ResourceType: '14', ElementName: 'Floppy drive', ...this.#image(file) });
  }

  #image(file: string | undefined): Pick<RasdProperties, 'HostResource'> {
    if (file === undefined) return {};
    const id = `file${this.#files.length + 1}`;
    this.#files.push({ id, file });
    return { HostResource: [`ovf:/file/${id}`] };
  }

  /** Adds an Ethernet adapter connected to `network`, of a known model or a subtype as written. */
  nic(model: NicModel | undefined, network: string | undefined, mac?: string, subType?: string): string {
    this.#nics++;
    const sub = model === undefined ? subType : nicSubType(model);
    return this.#add({
      ResourceType: '10',
      ElementName: `Ethernet ${this.#nics}`,
      ...(sub === undefined ? {} : { ResourceSubType: sub }),
      ...(network === undefined ? {} : { Connection: [network] }),
      ...(mac === undefined ? {} : { Address: mac }),
      AutomaticAllocation: 'true',
    });
  }

  /** Adds a serial port; `connection` is where it goes (a file, pipe or URI), when the source says. */
  serial(connection?: string): string {
    return this.#add({
      ResourceType: '21',
      ElementName: 'Serial port',
      ...(connection === undefined ? {} : { Connection: [connection] }),
    });
  }

  /** Adds a graphics controller. */
  graphics(): string {
    return this.#add({ ResourceType: '24', ElementName: 'Video card' });
  }

  /** Adds a USB controller. */
  usb(): string {
    return this.#add({ ResourceType: '23', ElementName: 'USB Controller' });
  }

  /** The package built so far. */
  build(guestOs?: GuestOs): SystemPackage {
    return {
      definition: { system: this.system, resources: this.#resources },
      disks: this.#disks,
      files: this.#files,
      ...(guestOs === undefined ? {} : { guestOs }),
    };
  }
}
