import {
  type BootOrder,
  CONTROLLERS,
  type ControllerKind,
  DefinitionBuilder,
  type Firmware,
  type NicModel,
  type VssdProperties,
} from '../model/index.js';
import type { GuestOs, PackageDisk, PackageFile, SystemPackage } from './types.js';

/**
 * Builds a {@link SystemPackage} the way the native-format readers need: the model's one `DefinitionBuilder`
 * (kinds spelt as Vessel writes them, sequential InstanceIDs), plus the package's bookkeeping: disks referenced as
 * `ovf:/disk/<id>` and other images as `ovf:/file/<id>`, as in an OVF package.
 *
 * @example
 * const b = new PackageBuilder({ ElementName: 'web1' });
 * b.cpus(2); b.memory(1n << 30n);
 * const scsi = b.controller('pvscsi', 0);
 * const disk = b.disk(scsi, 0, { file: 'web1.vmdk', format: 'vmdk' });
 * const pkg = b.firmware('efi').bootOrder([disk]).build();
 */
export class PackageBuilder {
  readonly #b: DefinitionBuilder;
  readonly #disks: PackageDisk[] = [];
  readonly #files: PackageFile[] = [];
  #nics = 0;

  constructor(system: VssdProperties) {
    this.#b = new DefinitionBuilder(system);
  }

  /** Adds the Processor setting. */
  cpus(count: number): string {
    return this.#b.cpus(count);
  }

  /** Adds the Memory setting, in the largest binary unit that holds it exactly. */
  memory(bytes: bigint): string {
    const mib = bytes % (1n << 20n) === 0n;
    return this.#b.memory(bytes, mib ? `${bytes >> 20n}MB of memory` : `${bytes} bytes of memory`);
  }

  /** Adds a storage controller of a kind; `address` is the IDE channel or SCSI bus number. Returns its InstanceID. */
  controller(kind: ControllerKind, address?: number): string {
    const bus = {
      ide: 'IDE',
      sata: 'SATA',
      scsi: 'SCSI',
      nvme: 'NVMe',
      virtio: 'VirtIO',
      usb: 'USB',
      floppy: 'Floppy',
    }[CONTROLLERS[kind].bus];
    const name = `${bus} Controller${address === undefined ? '' : ` ${address}`}`;
    return this.#b.controller(kind, { name, ...(address === undefined ? {} : { address }) });
  }

  /** Adds a disk image and its Disk Drive on a controller slot. */
  disk(controller: string | undefined, slot: number | undefined, image: Omit<PackageDisk, 'id'>): string {
    const id = `vmdisk${this.#disks.length + 1}`;
    this.#disks.push({ id, ...image });
    return this.#b.drive('disk', { controller, slot }, `ovf:/disk/${id}`, {
      name: `Hard disk ${this.#disks.length}`,
    });
  }

  /** Adds a CD/DVD drive, with an image (and its size, when the source gives it) or empty. */
  cdrom(controller: string | undefined, slot: number | undefined, file?: string, sizeBytes?: bigint): string {
    return this.#b.drive('cdrom', { controller, slot }, this.#image(file, sizeBytes));
  }

  /** Adds a floppy drive, with an image or empty. */
  floppy(file?: string): string {
    return this.#b.drive('floppy', {}, this.#image(file, undefined));
  }

  #image(file: string | undefined, sizeBytes: bigint | undefined): string | undefined {
    if (file === undefined) return undefined;
    const id = `file${this.#files.length + 1}`;
    this.#files.push({ id, file, ...(sizeBytes === undefined ? {} : { sizeBytes }) });
    return `ovf:/file/${id}`;
  }

  /**
   * Adds an Ethernet adapter connected to `network`: of a model the format's table named, or with the native word
   * kept as its ResourceSubType when the table names none (`subType`), or with neither.
   */
  nic(model: NicModel | undefined, network: string | undefined, mac?: string, subType?: string): string {
    this.#nics++;
    const what = model ?? (subType === undefined ? undefined : { subType });
    return this.#b.nic(what, network, mac, { name: `Ethernet ${this.#nics}` });
  }

  /** Adds a serial port; `backend` is where it goes (a file, pipe or URI), when the source says. */
  serial(backend?: string): string {
    return this.#b.serial(backend);
  }

  /** Adds a graphics controller. */
  graphics(): string {
    return this.#b.graphics();
  }

  /** Adds a USB host controller. */
  usb(): string {
    return this.#b.controller('usb', { name: 'USB Controller' });
  }

  /** Sets the firmware (VSSD `Firmware`). */
  firmware(f: Firmware | undefined): this {
    this.#b.firmware(f);
    return this;
  }

  /** Sets the boot order (VSSD `BootOrder`): InstanceIDs this builder returned, the first boots first. */
  bootOrder(ids: BootOrder): this {
    this.#b.bootOrder(ids);
    return this;
  }

  /** The package built so far. */
  build(guestOs?: GuestOs): SystemPackage {
    return {
      definition: this.#b.build(),
      disks: this.#disks,
      files: this.#files,
      ...(guestOs === undefined ? {} : { guestOs }),
    };
  }
}
