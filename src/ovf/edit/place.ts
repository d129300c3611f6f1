import {
  type Bus,
  CONTROLLER_KINDS,
  CONTROLLERS,
  type ControllerKind,
  DEFAULT_PREFERENCE,
  type DriveKind,
  MODEL_SLOTS,
  type PlacementPreference,
  type Producer,
  placeDrives,
  type RasdProperties,
  ResourceType,
  readDevices,
  spell,
} from '../../model/index.js';
import { OvfError } from '../errors.js';
import { itemsFor } from '../select.js';
import type { OvfVirtualHardwareSection } from '../types.js';

/**
 * Where a new drive goes in a VirtualHardwareSection: the model's placement (`placeDrives` with the model's slot
 * limits) run over the items as they are plus the new drive, so that the slot it gets is the first free one of
 * its controller and a controller is added only when none has room.
 */

/** The buses a user may name for a new drive (`--controller ide|scsi|sata|nvme`). */
export const DRIVE_BUSES = ['ide', 'scsi', 'sata', 'nvme'] as const;

/** One of {@link DRIVE_BUSES}. */
export type DriveBus = (typeof DRIVE_BUSES)[number];

/** True when `text` names a bus rather than a controller's InstanceID. */
export const isDriveBus = (text: string): text is DriveBus =>
  (DRIVE_BUSES as readonly string[]).includes(text);

/**
 * A new CD/DVD drive without a named controller goes on IDE or SATA (an IDE channel is added before a SCSI HBA
 * is used: guests boot and read CDs there everywhere); only when neither can take one does the model's default
 * preference apply.
 */
const CD_FIRST: PlacementPreference = { disk: DEFAULT_PREFERENCE.disk, cdrom: ['ide', 'ahci'] };

/** Where the new drive sits: an existing controller (or one to add, with its RASD) and the slot on it. */
export interface NewDrivePlace {
  controller: string;
  slot: number;
  add?: RasdProperties;
}

/** The kinds a bus offers, in the default preference's order (an LSI Logic HBA first for SCSI). */
function preferenceFor(bus: DriveBus): PlacementPreference {
  const wanted: Bus = bus;
  const order = [...new Set([...DEFAULT_PREFERENCE.disk, ...DEFAULT_PREFERENCE.cdrom, ...CONTROLLER_KINDS])];
  const kinds = order.filter((k) => CONTROLLERS[k].bus === wanted);
  return { disk: kinds, cdrom: kinds.filter((k) => CONTROLLERS[k].cdrom) };
}

/**
 * Places a new drive with InstanceID `driveId`. `controller` is an existing controller's InstanceID (which must
 * have a free slot), a bus (the first controller of that bus with room, one added when none has), or undefined
 * (the model's default preference). An added controller is spelled as `producer` spells it.
 *
 * @example
 * const { controller, slot, add } = placeNewDrive(hw, '12', 'ide', 'vmware');
 */
export function placeNewDrive(
  hw: OvfVirtualHardwareSection,
  driveId: string,
  controller: string | undefined,
  producer: Producer,
  kind: Exclude<DriveKind, 'floppy'> = 'disk',
): NewDrivePlace {
  const seen = new Set<string>();
  const resources = itemsFor(hw.items, undefined)
    .map((i) => i.resource)
    .filter((r) => {
      const id = r.properties.InstanceID;
      if (id === undefined || seen.has(id)) return false;
      seen.add(id);
      return true;
    });
  const bus = controller !== undefined && isDriveBus(controller) ? controller : undefined;
  const parent = bus === undefined ? controller : undefined;
  const type = kind === 'cdrom' ? ResourceType.CdDrive : ResourceType.DiskDrive;
  const properties: RasdProperties = { InstanceID: driveId, ResourceType: String(type) };
  if (parent !== undefined) properties.Parent = parent;
  const view = readDevices({
    system: {},
    resources: [...resources, { cimClass: 'CIM_ResourceAllocationSettingData', properties }],
  });
  if (parent !== undefined && !view.controllers.some((c) => c.instanceId === parent)) {
    const names = view.controllers.map((c) => `${c.instanceId} (${CONTROLLERS[c.kind].name})`);
    throw new OvfError('OVF_EDIT', `Item "${parent}" is not a storage controller of this system`, {
      hint: `Give a bus (${DRIVE_BUSES.join(', ')}) or a controller${names.length > 0 ? `: ${names.join(', ')}` : ''}`,
    });
  }
  const prefer = bus === undefined ? (kind === 'cdrom' ? CD_FIRST : DEFAULT_PREFERENCE) : preferenceFor(bus);
  if (kind === 'cdrom' && prefer.cdrom.length === 0)
    throw new OvfError(
      'OVF_EDIT',
      `A CD/DVD drive cannot sit on ${bus === undefined ? 'it' : bus.toUpperCase()}`,
    );
  let placed = placeDrives(view, MODEL_SLOTS, prefer);
  if (prefer === CD_FIRST && !placed.placements.has(driveId)) placed = placeDrives(view, MODEL_SLOTS);
  const { placements, added, unplaced } = placed;
  const p = placements.get(driveId);
  const on = bus === undefined ? '' : ` on ${bus.toUpperCase()}`;
  if (p === undefined) {
    const why =
      bus === undefined
        ? (unplaced.find((u) => u.instanceId === driveId)?.reason ?? 'no controller has room')
        : `every ${bus.toUpperCase()} controller is full and ${prefer.disk.length ? 'no other can be added' : 'none can be added'}`;
    throw new OvfError(
      'OVF_EDIT',
      `The ${kind === 'cdrom' ? 'CD/DVD drive' : 'disk'} has no place${on}: ${why}`,
    );
  }
  if (parent !== undefined && p.controller !== parent)
    throw new OvfError('OVF_EDIT', `Controller "${parent}" has no free slot for another drive`);
  const addKind: ControllerKind | undefined = added.find((a) => a.instanceId === p.controller)?.kind;
  if (addKind === undefined) return { controller: p.controller, slot: p.slot };
  const { Model: _model, ...spelling } = spell(addKind, producer) ?? spell(addKind, 'vessel')!;
  const n = view.controllers.filter((c) => CONTROLLERS[c.kind].bus === CONTROLLERS[addKind].bus).length;
  return {
    controller: p.controller,
    slot: p.slot,
    add: { ElementName: `${CONTROLLERS[addKind].name} controller ${n}`, Address: String(n), ...spelling },
  };
}
