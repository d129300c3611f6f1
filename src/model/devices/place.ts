import type { ControllerDevice, DeviceView, DriveDevice } from './device-view.js';
import { CONTROLLERS, type SlotPolicy } from './kinds.js';
import type { ControllerKind } from './vocabulary.js';

/**
 * Where each drive goes on a target: the slot the definition gives when the target has it, else the first free
 * one of a suitable controller, else a controller added for it. It reports and never edits; deploy, `ovf edit
 * add-disk` and the format writers apply it their own way.
 */

/** Where one drive sits: an existing controller's InstanceID or an added one's, and the slot on it. */
export interface Placement {
  controller: string;
  slot: number;
  /** Why it is not where the definition put it; undefined when it stays. */
  moved?: string;
}

/** The result of {@link placeDrives}. */
export interface Placements {
  /** By drive InstanceID; floppies have no controller and are not placed. */
  placements: ReadonlyMap<string, Placement>;
  /** Controllers the target needs that the definition lacks, with ids no resource uses. */
  added: { instanceId: string; kind: ControllerKind }[];
  /** Drives with no place at all, and why. */
  unplaced: { instanceId: string; reason: string }[];
}

/** Controller kinds a drive without a usable controller goes to, most preferred first; the first is added. */
export interface PlacementPreference {
  disk: readonly ControllerKind[];
  cdrom: readonly ControllerKind[];
}

const SCSI: ControllerKind[] = [
  'lsilogic',
  'buslogic',
  'lsisas',
  'pvscsi',
  'virtio-scsi',
  'megasas',
  'hyperv-scsi',
];

/** Disks to a SCSI HBA, else SATA, virtio-blk, NVMe, IDE; CDs to IDE, SATA, SCSI; an LSI Logic or IDE is added. */
export const DEFAULT_PREFERENCE: PlacementPreference = {
  disk: [...SCSI, 'ahci', 'virtio-blk', 'nvme', 'ide'],
  cdrom: ['ide', 'ahci', ...SCSI],
};

/** The at most 2 IDE channels (one RASD each) of a PC. */
const IDE_CHANNELS = 2;

interface Slots {
  id: string;
  kind: ControllerKind;
  taken: Set<number>;
}

/**
 * Places every disk and CD/DVD of a view for a target's slot policy. A drive keeps its controller and slot when
 * the target has them free; a drive whose slot is out of range, reserved or taken moves to the first free slot
 * of its controller, then of another of the same kind (old VirtualBox exports put a disk and a CD both at IDE 0);
 * a drive with no usable controller goes to the first of `prefer` with room, and a controller is added when none
 * has. Drives are taken in definition order.
 *
 * @example
 * const { placements, added } = placeDrives(readDevices(def), MODEL_SLOTS);
 */
export function placeDrives(
  view: DeviceView,
  policy: SlotPolicy,
  prefer: PlacementPreference = DEFAULT_PREFERENCE,
): Placements {
  const controllers: Slots[] = view.controllers.map((c) => ({
    id: c.instanceId,
    kind: c.kind,
    taken: new Set(),
  }));
  const placements = new Map<string, Placement>();
  const added: Placements['added'] = [];
  const unplaced: Placements['unplaced'] = [];
  const ids = new Set(view.definition.resources.map((r) => r.properties.InstanceID));
  const holds = (kind: ControllerKind, drive: DriveDevice) =>
    policy.slots(kind) !== 0 && (drive.kind !== 'cdrom' || policy.cdrom(kind));
  const usable = (kind: ControllerKind, slot: number) => {
    const n = policy.slots(kind);
    return slot >= 0 && (n === undefined || slot < n) && !policy.reserved(kind, slot);
  };
  const free = (c: Slots): number | undefined => {
    const n = policy.slots(c.kind) ?? c.taken.size + 1;
    for (let s = 0; s < n; s++) if (!c.taken.has(s) && usable(c.kind, s)) return s;
    return undefined;
  };
  const take = (d: DriveDevice, c: Slots, slot: number, moved?: string) => {
    c.taken.add(slot);
    placements.set(d.instanceId, { controller: c.id, slot, ...(moved === undefined ? {} : { moved }) });
  };
  const pending: { d: DriveDevice; why: string; own: Slots | undefined }[] = [];
  for (const d of view.drives) {
    if (d.kind === 'floppy') continue;
    const ctl = d.controller;
    const found = ctl === undefined ? undefined : controllers.find((c) => c.id === ctl.instanceId);
    const own = found !== undefined && holds(found.kind, d) ? found : undefined;
    const why = reason(d, ctl, policy, holds, usable);
    if (why === undefined && own !== undefined && !own.taken.has(d.slot!)) take(d, own, d.slot!);
    else pending.push({ d, why: why ?? `slot ${d.slot} is taken`, own });
  }
  for (const { d, why, own } of pending) {
    const sameKind =
      own === undefined ? [] : [own, ...controllers.filter((c) => c !== own && c.kind === own.kind)];
    const byPreference = prefer[d.kind === 'cdrom' ? 'cdrom' : 'disk'].flatMap((k) =>
      holds(k, d) ? controllers.filter((c) => c.kind === k) : [],
    );
    const target = [...sameKind, ...byPreference].find((c) => free(c) !== undefined) ?? addFor(d);
    if (target === undefined) {
      unplaced.push({
        instanceId: d.instanceId,
        reason: `${why}, and no controller ${policy.name} offers has room`,
      });
      continue;
    }
    const slot = free(target)!;
    // Moved: the definition gave a controller or a slot that is not kept (a drive it left unplaced just gets one).
    const movedOff = d.parentText !== undefined && target.id !== d.controller?.instanceId;
    const reslotted = d.slotText !== undefined && slot !== d.slot;
    take(d, target, slot, movedOff || reslotted ? why : undefined);
  }
  return { placements, added, unplaced };

  function addFor(d: DriveDevice): Slots | undefined {
    const ide = controllers.filter((c) => c.kind === 'ide').length;
    const kind = prefer[d.kind === 'cdrom' ? 'cdrom' : 'disk'].find(
      (k) => holds(k, d) && (k !== 'ide' || ide < IDE_CHANNELS),
    );
    if (kind === undefined) return undefined;
    let n = added.filter((a) => a.kind === kind).length;
    while (ids.has(`vessel-${kind}${n}`)) n++;
    const id = `vessel-${kind}${n}`;
    ids.add(id);
    added.push({ instanceId: id, kind });
    const c: Slots = { id, kind, taken: new Set() };
    controllers.push(c);
    return c;
  }
}

/** Why a drive cannot stay where the definition puts it (its slot being taken is checked in order). */
function reason(
  d: DriveDevice,
  ctl: ControllerDevice | undefined,
  policy: SlotPolicy,
  holds: (k: ControllerKind, d: DriveDevice) => boolean,
  usable: (k: ControllerKind, slot: number) => boolean,
): string | undefined {
  if (ctl === undefined) {
    return d.parentText === undefined
      ? 'it names no controller'
      : `its Parent "${d.parentText}" is not a storage controller`;
  }
  const name = `${CONTROLLERS[ctl.kind].name} controller "${ctl.instanceId}"`;
  if (!holds(ctl.kind, d))
    return `${policy.name} puts no ${d.kind === 'cdrom' ? 'CD/DVD' : 'drive'} on ${name}`;
  if (d.slot === undefined)
    return d.slotText === undefined
      ? `it has no slot on ${name}`
      : `its slot "${d.slotText}" is not a number`;
  if (!usable(ctl.kind, d.slot)) return `slot ${d.slot} of ${name} is not available on ${policy.name}`;
  return undefined;
}
