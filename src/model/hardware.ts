import { type Certainty, classifyResource } from './devices/classify.js';
import type { DeviceBase } from './devices/device-view.js';
import { CONTROLLERS } from './devices/kinds.js';
import { readDevices } from './devices/view.js';
import type { ControllerKind, DriveKind } from './devices/vocabulary.js';
import type { ResourceSetting } from './settings.js';

/**
 * The devices of a definition as the QEMU driver, deploy and export read them before the device vocabulary: a
 * thin adapter over `readDevices`, kept so that its callers compile while later steps move them to the
 * `DeviceView`. New code reads `readDevices(def)`.
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
  const bus = busOf(c.kinds[0]!);
  return bus === undefined ? undefined : { bus, kinds: c.kinds, certainty: c.certainty };
}

/** The storage bus of a kind; USB host controllers are listed with `usb`, and no kind is on the floppy bus. */
function busOf(kind: ControllerKind): HardwareBus | undefined {
  const bus = CONTROLLERS[kind].bus;
  return bus === 'usb' || bus === 'floppy' ? undefined : bus;
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

const simple = (d: DeviceBase): SimpleDeviceView => ({
  instanceId: d.instanceId,
  resourceType: d.resourceType ?? 0,
  subType: d.subType,
  connection: d.resource.properties.Connection?.[0],
});

/**
 * Groups the RASDs of a definition by their DMTF meaning. It never throws; checking is `validateDefinition`'s job.
 *
 * @deprecated Use `readDevices(def)`, the typed device view; this adapter goes when its last caller moves.
 * @example
 * const hw = readHardware(def.resources);
 * hw.drives.filter((d) => d.kind === 'disk').map((d) => d.hostResource);
 */
export function readHardware(resources: readonly ResourceSetting[]): HardwareView {
  const view = readDevices({ system: {}, resources: [...resources] });
  const controllers: ControllerView[] = [];
  const usb: SimpleDeviceView[] = [];
  for (const c of view.controllers) {
    const bus = busOf(c.kind);
    if (bus === undefined) {
      usb.push(simple(c));
      continue;
    }
    controllers.push({
      instanceId: c.instanceId,
      kind: bus,
      model: c.kind,
      kinds: c.kinds,
      certainty: c.certainty,
      subType: c.subType,
      index: c.ordinal,
      address: c.address,
    });
  }
  return {
    controllers,
    drives: view.drives.map((d) => ({
      instanceId: d.instanceId,
      kind: d.kind,
      hostResource: d.hostResource,
      parent: d.parentText,
      addressOnParent: d.slot,
      addressOnParentText: d.slotText,
    })),
    nics: view.nics.map((n) => ({
      instanceId: n.instanceId,
      subType: n.subType,
      mac: n.macText,
      connection: n.resource.properties.Connection?.[0],
    })),
    serials: view.serials.map(simple),
    graphics: view.graphics.map(simple),
    usb,
    sound: view.sound.map(simple),
    others: view.others.map((o) => ({ instanceId: o.instanceId, resourceType: o.resourceType })),
  };
}
