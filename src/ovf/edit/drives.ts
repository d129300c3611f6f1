import { CONTROLLERS, ResourceType, readDevices } from '../../model/index.js';
import { OvfError } from '../errors.js';
import { findSection, itemsFor } from '../select.js';
import type { OvfContent, OvfEnvelope } from '../types.js';
import { hardware, itemsOfType, newItem, nextInstanceId } from './core.js';
import { descriptorProducer } from './devices.js';
import { isDriveBus, placeNewDrive } from './place.js';

/**
 * Media and disk images on drives (COT's add-disk and inject-config): an image file put in a CD-ROM drive, and
 * an existing disk given a new image.
 */

/** Where {@link insertMedia} put an image: the drive's InstanceID, and whether the drive was added. */
export interface MediaPlace {
  instanceId: string;
  added: boolean;
}

/**
 * Puts the File `fileId` (an ISO image) in a CD-ROM drive as `ovf:/file/<id>` (DSP0243 §9.5): the first empty
 * CD-ROM drive of the system (on `controller` when given: a bus such as `ide`/`sata`, or a controller's
 * InstanceID), else a new drive at the first free slot the model's placement finds (an IDE controller is added
 * when none has room).
 *
 * @example
 * const id = addFile(env, { href: 'config.iso' }); insertMedia(env, system, id, 'ide');
 */
export function insertMedia(
  env: OvfEnvelope,
  system: OvfContent,
  fileId: string,
  controller?: string,
): MediaPlace {
  if (!env.references.some((f) => f.id === fileId))
    throw new OvfError('OVF_EDIT', `No file in References has the id "${fileId}"`);
  const hw = hardware(system);
  const view = readDevices({ system: {}, resources: itemsFor(hw.items, undefined).map((i) => i.resource) });
  const bus = controller !== undefined && isDriveBus(controller) ? controller : undefined;
  const empty = view.drives.find(
    (d) =>
      d.kind === 'cdrom' &&
      d.hostResource === undefined &&
      (controller === undefined ||
        (bus === undefined
          ? d.controller?.instanceId === controller
          : d.controller !== undefined && CONTROLLERS[d.controller.kind].bus === bus)),
  );
  const uri = `ovf:/file/${fileId}`;
  if (empty !== undefined) {
    // Every item with that InstanceID (per-option overrides too) gets the image.
    for (const i of hw.items)
      if (i.resource.properties.InstanceID === empty.instanceId) i.resource.properties.HostResource = [uri];
    return { instanceId: empty.instanceId, added: false };
  }
  const driveId = nextInstanceId(hw);
  const place = placeNewDrive(hw, driveId, controller, descriptorProducer(system), 'cdrom');
  const parent =
    place.add === undefined ? place.controller : newItem(hw, place.add).resource.properties.InstanceID!;
  const item = newItem(hw, {
    ElementName: `CD-ROM ${itemsOfType(hw, ResourceType.CdDrive).length + 1}`,
    ResourceType: String(ResourceType.CdDrive),
    HostResource: [uri],
    Parent: parent,
    AddressOnParent: String(place.slot),
    AutomaticAllocation: 'true',
  });
  return { instanceId: item.resource.properties.InstanceID!, added: true };
}

/** A new image for an existing disk. */
export interface DiskImage {
  /** The File id of the new image (already in References). */
  fileId: string;
  capacityBytes: bigint;
  format: string;
  populatedBytes?: bigint | undefined;
}

/**
 * Gives the Disk `diskId` a new image (COT add-disk on an existing disk): its `ovf:fileRef`, capacity and format
 * change, its drive stays where it is. The old File leaves References when no other disk uses it. Returns the
 * old File's id, when one left.
 */
export function replaceDiskImage(env: OvfEnvelope, diskId: string, image: DiskImage): string | undefined {
  const ds = findSection(env.sections, 'DiskSection');
  const disk = ds?.disks.find((d) => d.diskId === diskId);
  if (!ds || !disk) throw new OvfError('OVF_EDIT', `No disk has the id "${diskId}"`);
  const old = disk.fileRef;
  disk.fileRef = image.fileId;
  const gib = image.capacityBytes % (1n << 30n) === 0n;
  disk.capacity = String(gib ? image.capacityBytes >> 30n : image.capacityBytes);
  disk.capacityAllocationUnits = gib ? 'byte * 2^30' : 'byte';
  disk.format = image.format;
  disk.populatedSize = image.populatedBytes?.toString();
  if (old !== undefined && old !== image.fileId && !ds.disks.some((d) => d.fileRef === old)) {
    env.references = env.references.filter((f) => f.id !== old);
    return old;
  }
  return undefined;
}

/** True when DiskSection has a Disk with this id. */
export function diskExists(env: OvfEnvelope, diskId: string): boolean {
  return findSection(env.sections, 'DiskSection')?.disks.some((d) => d.diskId === diskId) ?? false;
}
