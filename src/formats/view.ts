import {
  cpuCount,
  FIRMWARE_PROPERTY,
  memoryBytes,
  normalizeMac,
  type ResourceSetting,
  ResourceType,
  resourceTypeName,
  resourceTypeOf,
} from '../model/index.js';
import { diskIdOf, fileIdOf } from '../ovf/index.js';
import { type Bus, controllerOf, type NicModel, nicModelOf, type ScsiModel } from './devices.js';
import type { GuestOs, PackageDisk, PackageFile, SystemPackage } from './types.js';
import type { Warnings } from './warnings.js';

/**
 * A read-only view of a {@link SystemPackage} for the writers: the RASDs grouped by meaning, with every drive
 * placed on a controller at a position (drives the definition leaves unplaced get the first free slot, as
 * hypervisors do). It is computed from the one model, never stored or edited.
 */

/** A storage controller RASD. */
export interface ControllerView {
  instanceId: string;
  bus: Bus;
  model?: ScsiModel | undefined;
  /** Position among controllers of the same bus (0-based), in definition order. */
  index: number;
  /** The RASD's Address when it is a whole number (IDE channel, SCSI bus). */
  address?: number | undefined;
}

/** A disk, CD/DVD or floppy RASD, placed. Floppies have no controller. */
export interface DriveView {
  instanceId: string;
  kind: 'disk' | 'cdrom' | 'floppy';
  controller?: ControllerView | undefined;
  /** Slot on the controller (IDE: 0 master, 1 slave; SCSI unit; SATA port), or the floppy unit. */
  position: number;
  disk?: PackageDisk | undefined;
  file?: PackageFile | undefined;
  name?: string | undefined;
}

/** A NIC RASD/EPASD. */
export interface NicView {
  instanceId: string;
  model?: NicModel | undefined;
  subType?: string | undefined;
  network?: string | undefined;
  /** MAC in colon form, lower case. */
  mac?: string | undefined;
}

/** The whole system as the writers need it. */
export interface SystemView {
  name: string;
  uuid?: string | undefined;
  annotation?: string | undefined;
  cpus: number;
  memoryBytes: bigint;
  firmware?: 'bios' | 'efi' | undefined;
  guestOs?: GuestOs | undefined;
  controllers: ControllerView[];
  drives: DriveView[];
  nics: NicView[];
  serials: { instanceId: string; connection?: string | undefined }[];
  graphics: boolean;
  usb: boolean;
  /** RASDs no writer maps (sound, parallel ports, vendor types), to report. */
  others: { instanceId: string; what: string }[];
  virtualSystemType?: string | undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a UUID in 8-4-4-4-12 form. */
export function isUuid(s: string | undefined): s is string {
  return s !== undefined && UUID.test(s.trim());
}

/** The view of a package; invalid CPU or memory settings throw `FORMAT_INVALID`. */
export function viewSystem(pkg: SystemPackage, warnings: Warnings): SystemView {
  const def = pkg.definition;
  const sys = def.system;
  const tryRead = <T>(read: () => T, what: 'CPU' | 'MEMORY'): T | undefined => {
    try {
      return read();
    } catch (e) {
      warnings.add(
        what,
        `The ${what === 'CPU' ? 'CPU count' : 'memory size'} cannot be read: ${(e as Error).message}`,
      );
      return undefined;
    }
  };
  const cpus = tryRead(() => cpuCount(def), 'CPU');
  const mem = tryRead(() => memoryBytes(def), 'MEMORY');
  if (cpus === undefined || cpus < 1)
    warnings.add('CPU', 'The definition gives no usable CPU count; written as 1 CPU');
  if (mem === undefined || mem < 1n << 20n)
    warnings.add('MEMORY', 'The definition gives no usable memory size; written as 1024 MiB');
  const fw = String(sys[FIRMWARE_PROPERTY] ?? '').toLowerCase();
  const view: SystemView = {
    name: sys.ElementName?.trim() || sys.VirtualSystemIdentifier || 'vm',
    uuid: isUuid(sys.VirtualSystemIdentifier) ? sys.VirtualSystemIdentifier.toLowerCase() : undefined,
    annotation: sys.Description,
    cpus: cpus !== undefined && cpus >= 1 ? cpus : 1,
    memoryBytes: mem !== undefined && mem >= 1n << 20n ? mem : 1n << 30n,
    firmware: fw === 'efi' || fw === 'uefi' ? 'efi' : fw === 'bios' ? 'bios' : undefined,
    guestOs: pkg.guestOs,
    controllers: [],
    drives: [],
    nics: [],
    serials: [],
    graphics: false,
    usb: false,
    others: [],
    virtualSystemType: sys.VirtualSystemType,
  };
  const pending: ResourceSetting[] = [];
  const perBus = new Map<Bus, number>();
  def.resources.forEach((r, i) => {
    const id = r.properties.InstanceID ?? `#${i + 1}`;
    const type = resourceTypeOf(r);
    const ctl = controllerOf(r);
    if (type === ResourceType.Processor || type === ResourceType.Memory) return;
    if (ctl) {
      const index = perBus.get(ctl.bus) ?? 0;
      perBus.set(ctl.bus, index + 1);
      const address = wholeNumber(r.properties.Address);
      view.controllers.push({ instanceId: id, ...ctl, index, address });
    } else if (type === ResourceType.EthernetAdapter) {
      const mac = r.properties.Address?.trim();
      const norm = mac ? normalizeMac(mac) : undefined;
      if (mac && norm === undefined)
        warnings.add('MAC', `NIC "${id}": "${mac}" is not a MAC address; dropped`);
      view.nics.push({
        instanceId: id,
        model: nicModelOf(r.properties.ResourceSubType),
        subType: r.properties.ResourceSubType,
        network: r.properties.Connection?.find((c) => c.trim() !== ''),
        mac: norm,
      });
    } else if (type === ResourceType.SerialPort) {
      view.serials.push({ instanceId: id, connection: r.properties.Connection?.[0] });
    } else if (type === ResourceType.GraphicsController) {
      view.graphics = true;
    } else if (type === ResourceType.UsbController) {
      view.usb = true;
    } else if (driveKind(type) !== undefined || type === ResourceType.StorageExtent) {
      pending.push(r);
    } else {
      const name = type === undefined ? 'unknown' : (resourceTypeName(type) ?? `ResourceType ${type}`);
      const sub = r.properties.ResourceSubType ? ` ${r.properties.ResourceSubType}` : '';
      view.others.push({ instanceId: id, what: `${name}${sub}`.trim() });
    }
  });
  placeDrives(view, pending, pkg, warnings);
  return view;
}

function driveKind(type: number | undefined): DriveView['kind'] | undefined {
  if (type === ResourceType.DiskDrive || type === ResourceType.LogicalDisk) return 'disk';
  if (type === ResourceType.CdDrive || type === ResourceType.DvdDrive) return 'cdrom';
  if (type === ResourceType.FloppyDrive) return 'floppy';
  return undefined;
}

function wholeNumber(text: string | undefined): number | undefined {
  return text !== undefined && /^\s*\d{1,6}\s*$/.test(text) ? Number(text) : undefined;
}

/** Slots per controller: IDE master/slave, SCSI units 0..15 without 7, SATA 30 ports, NVMe and virtio many. */
export function slotsOf(bus: Bus): number {
  return { ide: 2, scsi: 16, sata: 30, nvme: 64, virtio: 1024 }[bus];
}

function placeDrives(
  view: SystemView,
  rasds: ResourceSetting[],
  pkg: SystemPackage,
  warnings: Warnings,
): void {
  const disks = new Map(pkg.disks.map((d) => [d.id, d]));
  const files = new Map(pkg.files.map((f) => [f.id, f]));
  const byId = new Map(view.controllers.map((c) => [c.instanceId, c]));
  const used = new Set<string>();
  const key = (c: ControllerView, p: number) => `${c.instanceId}/${p}`;
  const free = (c: ControllerView): number | undefined => {
    for (let p = 0; p < slotsOf(c.bus); p++) {
      if (c.bus === 'scsi' && p === 7) continue;
      if (!used.has(key(c, p))) return p;
    }
    return undefined;
  };
  const unplaced: DriveView[] = [];
  let floppies = 0;
  for (const r of rasds) {
    const p = r.properties;
    const kind = driveKind(resourceTypeOf(r)) ?? 'disk';
    const id = p.InstanceID ?? '?';
    const host = p.HostResource?.find((h) => h.trim() !== '');
    const disk = disks.get(diskIdOf(host) ?? '');
    const file = files.get(fileIdOf(host) ?? '');
    if (host !== undefined && disk === undefined && file === undefined) {
      warnings.add(
        'DEVICE',
        `Drive "${id}" references "${host}", which the package does not hold; left empty`,
      );
    }
    if (kind === 'disk' && disk === undefined) {
      warnings.add('DEVICE', `Disk drive "${id}" has no disk image; dropped`);
      continue;
    }
    const drive: DriveView = { instanceId: id, kind, position: 0, disk, file, name: p.ElementName };
    if (kind === 'floppy') {
      drive.position = floppies++;
      view.drives.push(drive);
      continue;
    }
    const controller = p.Parent === undefined ? undefined : byId.get(p.Parent);
    if (p.Parent !== undefined && controller === undefined) {
      warnings.add(
        'CONTROLLER',
        `Drive "${id}" names controller "${p.Parent}", which is not a storage controller this converter knows; attached to another`,
      );
    }
    drive.controller = controller;
    const wanted = wholeNumber(p.AddressOnParent);
    if (
      controller &&
      wanted !== undefined &&
      wanted < slotsOf(controller.bus) &&
      !used.has(key(controller, wanted))
    ) {
      drive.position = wanted;
      used.add(key(controller, wanted));
      view.drives.push(drive);
    } else unplaced.push(drive);
  }
  for (const d of unplaced) {
    const candidates = d.controller ? [d.controller] : defaultControllers(view, d.kind);
    let c = candidates.find((x) => free(x) !== undefined);
    if (c === undefined) c = addController(view, d.kind === 'cdrom' ? 'ide' : 'scsi');
    d.controller = c;
    d.position = free(c) ?? 0;
    used.add(key(c, d.position));
    view.drives.push(d);
  }
  view.drives.sort((a, b) => rasdOrder(rasds, a.instanceId) - rasdOrder(rasds, b.instanceId));
}

function rasdOrder(rasds: ResourceSetting[], id: string): number {
  return rasds.findIndex((r) => r.properties.InstanceID === id);
}

function defaultControllers(view: SystemView, kind: DriveView['kind']): ControllerView[] {
  const order: Bus[] = kind === 'cdrom' ? ['ide', 'sata', 'scsi'] : ['scsi', 'sata', 'virtio', 'nvme', 'ide'];
  return order.flatMap((b) => view.controllers.filter((c) => c.bus === b));
}

function addController(view: SystemView, bus: Bus): ControllerView {
  const index = view.controllers.filter((c) => c.bus === bus).length;
  const c: ControllerView = {
    instanceId: `vessel-${bus}${index}`,
    bus,
    ...(bus === 'scsi' ? { model: 'lsilogic' as const } : {}),
    index,
  };
  view.controllers.push(c);
  return c;
}
