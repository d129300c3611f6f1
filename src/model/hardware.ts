import { type Certainty, classifyResource } from './devices/classify.js';
import { CONTROLLERS } from './devices/kinds.js';
import type { ControllerKind, DriveKind } from './devices/vocabulary.js';
import { ResourceType } from './resource-type.js';
import { resourceTypeOf } from './resources.js';
import type { ResourceSetting } from './settings.js';

/**
 * Reading the devices of a definition by their DMTF meaning: which RASDs are controllers, drives, NICs, serial
 * ports, graphics and USB, and how they hang together (Parent = the controller's InstanceID, AddressOnParent =
 * the slot on it). This is a view computed from the RASDs, not a second model: drivers and checks use it to map
 * or check the one definition.
 */

/**
 * The bus a disk or CD/DVD hangs on, as this view named controllers before the device vocabulary.
 *
 * @deprecated Use the {@link ControllerKind} of `classifyResource` and `CONTROLLERS[kind].bus`.
 */
export type HardwareBus = 'ide' | 'scsi' | 'sata' | 'nvme' | 'virtio';

/** A storage controller RASD (ResourceType 5, 6 or 20, or libvirt-cim's RT 1 `controller`). */
export interface ControllerView {
  instanceId: string;
  /** Its bus (`scsi` for every SCSI HBA, virtio-scsi included; `virtio` is virtio-blk). */
  kind: HardwareBus;
  /** What the controller is: the first of `kinds`. */
  model: ControllerKind;
  /** Every kind its subtype names, in the producer's order. */
  kinds: readonly ControllerKind[];
  certainty: Certainty;
  /** ResourceSubType as written (`lsilogic`, `AHCI`, `VirtualSCSI`, ...), or undefined. */
  subType: string | undefined;
  /** Its position among the controllers of the same bus, in definition order (0-based). */
  index: number;
  /** The RASD's Address (IDE channel or bus number) when it is a whole number. */
  address: number | undefined;
}

/** A disk (17), CD (15), DVD (16) or floppy (14) RASD. */
export interface DriveView {
  instanceId: string;
  kind: DriveKind;
  /** The image: the first HostResource, as written (a path, `file:` URL or `ovf:/disk/...` reference). */
  hostResource: string | undefined;
  /** The Parent controller's InstanceID, as written. */
  parent: string | undefined;
  /** AddressOnParent when it is a whole number. */
  addressOnParent: number | undefined;
  /** AddressOnParent as written, to report values that are not numbers. */
  addressOnParentText: string | undefined;
}

/** An Ethernet adapter RASD/EPASD (ResourceType 10). */
export interface NicView {
  instanceId: string;
  /** ResourceSubType as written (`E1000`, `virtio`, `VmxNet3`, ...), or undefined. */
  subType: string | undefined;
  /** Address (the MAC) as written, or undefined. */
  mac: string | undefined;
  /** The first Connection (the network name), or undefined. */
  connection: string | undefined;
}

/** Any other device the drivers map: serial ports (21), graphics (24), USB controllers (23). */
export interface SimpleDeviceView {
  instanceId: string;
  resourceType: number;
  subType: string | undefined;
  connection: string | undefined;
}

/** The devices of a definition grouped by meaning; `others` are RASDs none of the groups claim. */
export interface HardwareView {
  controllers: ControllerView[];
  drives: DriveView[];
  nics: NicView[];
  serials: SimpleDeviceView[];
  graphics: SimpleDeviceView[];
  usb: SimpleDeviceView[];
  /**
   * Sound cards: VirtualBox writes them as ResourceType 35 (a vendor value it took; subtypes ensoniq1371, AC97,
   * SB16, HDA), VMware as Other (1) with subtype `vmware.soundcard.*`.
   */
  sound: SimpleDeviceView[];
  others: { instanceId: string; resourceType: number | undefined }[];
}

/** A storage controller's kinds as `classifyResource` reads them, or undefined for anything else. */
function storageController(
  r: ResourceSetting,
): { bus: HardwareBus; kinds: readonly ControllerKind[]; certainty: Certainty } | undefined {
  const c = classifyResource(r);
  if (c.device !== 'controller') return undefined;
  const bus = CONTROLLERS[c.kinds[0]!].bus;
  // USB host controllers are listed with `usb`; no controller kind is on the floppy bus.
  return bus === 'usb' || bus === 'floppy' ? undefined : { bus, kinds: c.kinds, certainty: c.certainty };
}

/**
 * The bus of a storage controller RASD, or undefined when it is not a storage controller this model knows.
 * RT 6 `virtio-scsi` and VirtualBox's RT 20 `VirtioSCSI` are SCSI HBAs, RT 20 `virtio` is virtio-blk.
 *
 * @deprecated Use `classifyResource(r)`, whose controller kinds name the model (`virtio-scsi`, `pvscsi`, ...).
 */
export function controllerKindOf(r: ResourceSetting): HardwareBus | undefined {
  return storageController(r)?.bus;
}

function drivekindOf(type: number | undefined): DriveKind | undefined {
  if (type === ResourceType.DiskDrive || type === ResourceType.LogicalDisk) return 'disk';
  if (type === ResourceType.CdDrive || type === ResourceType.DvdDrive) return 'cdrom';
  if (type === ResourceType.FloppyDrive) return 'floppy';
  return undefined;
}

function wholeNumber(text: string | undefined): number | undefined {
  if (text === undefined || !/^\s*\d{1,9}\s*$/.test(text)) return undefined;
  return Number(text);
}

/**
 * Groups the RASDs of a definition by their DMTF meaning. It never throws; checking is `validateDefinition`'s job.
 *
 * @example
 * const hw = readHardware(def.resources);
 * hw.drives.filter((d) => d.kind === 'disk').map((d) => d.hostResource);
 */
export function readHardware(resources: readonly ResourceSetting[]): HardwareView {
  const hw: HardwareView = {
    controllers: [],
    drives: [],
    nics: [],
    serials: [],
    graphics: [],
    usb: [],
    sound: [],
    others: [],
  };
  const perKind = new Map<HardwareBus, number>();
  resources.forEach((r, i) => {
    const p = r.properties;
    const instanceId = p.InstanceID ?? `#${i + 1}`;
    const type = resourceTypeOf(r);
    const ctl = storageController(r);
    const drive = drivekindOf(type);
    if (type === ResourceType.Processor || type === ResourceType.Memory) return;
    if (ctl !== undefined) {
      const index = perKind.get(ctl.bus) ?? 0;
      perKind.set(ctl.bus, index + 1);
      const address = wholeNumber(p.Address);
      const { bus: kind, kinds, certainty } = ctl;
      const model = kinds[0]!;
      hw.controllers.push({
        instanceId,
        kind,
        model,
        kinds,
        certainty,
        subType: p.ResourceSubType,
        index,
        address,
      });
    } else if (drive !== undefined) {
      hw.drives.push({
        instanceId,
        kind: drive,
        hostResource: p.HostResource?.[0],
        parent: p.Parent,
        addressOnParent: wholeNumber(p.AddressOnParent),
        addressOnParentText: p.AddressOnParent,
      });
    } else if (type === ResourceType.EthernetAdapter) {
      hw.nics.push({ instanceId, subType: p.ResourceSubType, mac: p.Address, connection: p.Connection?.[0] });
    } else if (
      type === ResourceType.SerialPort ||
      type === ResourceType.GraphicsController ||
      type === ResourceType.UsbController
    ) {
      const dev = {
        instanceId,
        resourceType: type,
        subType: p.ResourceSubType,
        connection: p.Connection?.[0],
      };
      if (type === ResourceType.SerialPort) hw.serials.push(dev);
      else if (type === ResourceType.GraphicsController) hw.graphics.push(dev);
      else hw.usb.push(dev);
    } else if (isSoundCard(type, p.ResourceSubType)) {
      hw.sound.push({
        instanceId,
        resourceType: type ?? 0,
        subType: p.ResourceSubType,
        connection: undefined,
      });
    } else {
      hw.others.push({ instanceId, resourceType: type });
    }
  });
  return hw;
}

/**
 * The host path of an image reference: an absolute path or a `file://` URL. Returns undefined for anything else
 * (relative paths, `ovf:/disk/...` references that a deploy must resolve first, other URL schemes).
 *
 * @example
 * imagePath('file:///var/lib/vessel/a.qcow2'); // '/var/lib/vessel/a.qcow2'
 */
export function imagePath(hostResource: string | undefined): string | undefined {
  if (hostResource === undefined) return undefined;
  const t = hostResource.trim();
  if (t.startsWith('file://')) {
    try {
      const u = new URL(t);
      return u.host === '' || u.host === 'localhost' ? decodeURIComponent(u.pathname) : undefined;
    } catch {
      return undefined;
    }
  }
  return t.startsWith('/') ? t : undefined;
}

/** Whether a RASD is a sound card: VirtualBox's ResourceType 35, or VMware's Other + `vmware.soundcard.*`. */
export function isSoundCard(type: number | undefined, subType: string | undefined): boolean {
  const sub = (subType ?? '').toLowerCase();
  return type === 35 || (type === ResourceType.Other && sub.startsWith('vmware.soundcard'));
}
