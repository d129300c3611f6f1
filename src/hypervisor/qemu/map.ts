import {
  type Device,
  type DeviceView,
  type NicModel,
  placeDrives,
  type ResourceSetting,
  readDevices,
  resourceTypeName,
  spell,
} from '../../model/index.js';
import type { MappingHints, MappingResult } from '../types.js';
import { QEMU_NICS, qemuControllerKind, qemuNicModel } from './devices.js';
import { QEMU_SLOTS } from './slots.js';

/*
 * Mapping a package's hardware items to what QEMU offers (DSP0243 §9.3), read through the model's device view:
 * NICs and lists of alternatives are written as the model word QEMU runs (spelt as Vessel writes it), items with no
 * QEMU equivalent are reported (and dropped when optional or with `--lax`), and drives whose slot QEMU does not
 * have, or shares with another drive, are moved to a free one of the same kind of controller. The generic parts of
 * a deploy (firmware hints, serial console, environment CD) stay in the host.
 */

/** NIC models QEMU has no device for, and what such a NIC is given: every guest has an e1000 driver. */
const NIC_SUBSTITUTES: Readonly<Partial<Record<NicModel, NicModel>>> = { vmxnet: 'e1000' };

/** The devices of a view by their position among the definition's resources. */
function byPosition(view: DeviceView): Map<number, Device> {
  const all: Device[] = [
    ...view.controllers,
    ...view.drives,
    ...view.nics,
    ...view.serials,
    ...view.graphics,
    ...view.sound,
    ...view.others,
  ];
  return new Map(all.map((d) => [d.position, d]));
}

/**
 * Writes what QEMU will run where the definition says it otherwise: a NIC as the model QEMU gives it (a vmxnet as an
 * E1000, with a note), a controller whose subtype lists alternatives as the one QEMU takes. Spellings are the model's
 * (`spell(word, 'vessel')`).
 */
function respell(d: Device, notes: string[]): void {
  const p = d.resource.properties;
  if (d.device === 'nic' && d.certainty === 'named') {
    const own = qemuNicModel(d);
    const model = own ?? d.models.map((m) => NIC_SUBSTITUTES[m]).find((m) => m !== undefined);
    if (model === undefined) return;
    if (own === undefined)
      notes.push(`NIC "${d.instanceId}": QEMU has no ${d.subType} device; it is given as ${spelt(model)}`);
    Object.assign(p, spell(model, 'vessel'));
  }
  if (d.device === 'controller' && d.kinds.length > 1) {
    const kind = qemuControllerKind(d);
    const spelling = kind === undefined ? undefined : spell(kind, 'vessel');
    if (spelling !== undefined) Object.assign(p, spelling);
  }
}

const spelt = (m: NicModel) => spell(m, 'vessel')?.ResourceSubType ?? m;

/** Why the QEMU host cannot give this device, or undefined when it can (processor and memory are not devices). */
function unmappableReason(d: Device | undefined): string | undefined {
  if (d === undefined) return undefined;
  const sub = (d.subType ?? '').slice(0, 60);
  switch (d.device) {
    case 'controller':
      // The driver's device table decides (VirtualBox's RT 20 VirtioSCSI is a SCSI HBA QEMU has).
      return d.kind === 'usb' || qemuControllerKind(d) !== undefined
        ? undefined
        : `SCSI controller subtype "${sub}" has no QEMU equivalent`;
    case 'nic': {
      const model = qemuNicModel(d) ?? d.models.map((m) => NIC_SUBSTITUTES[m]).find((m) => m);
      return model !== undefined && QEMU_NICS[model] !== undefined
        ? undefined
        : `network adapter model "${sub}" has no QEMU equivalent`;
    }
    case 'other': {
      const name = d.resourceType === undefined ? undefined : resourceTypeName(d.resourceType);
      const shown = sub === '' ? '' : ` "${sub}"`;
      return `${name ?? 'unknown resource type'}${shown} (ResourceType ${d.resourceType ?? '?'}) has no QEMU equivalent`;
    }
    default:
      return undefined;
  }
}

/**
 * The QEMU driver's deploy hook (`HypervisorDriver.mapHardware`): maps the resources of one system to what QEMU
 * runs. `hints.optional(id)` says whether the item with that InstanceID is `ovf:required="false"`. Unmappable
 * optional items (every one with `hints.lax`) are dropped with a note; drives whose controller was dropped lose
 * their Parent and are attached as virtio disks (CDs on IDE).
 *
 * @example
 * const m = mapQemuHardware(def.resources, { optional: (id) => optionalIds.has(id), lax: false });
 * if (m.refused.length) throw ...;
 */
export function mapQemuHardware(input: readonly ResourceSetting[], hints: MappingHints): MappingResult {
  const { optional, lax } = hints;
  const notes: string[] = [];
  const resources = input.map((r) => structuredClone(r));
  const devices = byPosition(readDevices({ system: {}, resources }));
  for (const d of devices.values()) respell(d, notes);
  const refused: MappingResult['refused'] = [];
  const dropped = new Set<string>();
  resources.forEach((r, i) => {
    const reason = unmappableReason(devices.get(i));
    if (reason === undefined) return;
    const id = r.properties.InstanceID ?? `#${i + 1}`;
    if (optional(id) || lax) {
      dropped.add(id);
      notes.push(`Item "${id}" left out: ${reason}${optional(id) ? ' (it is optional)' : ' (--lax)'}`);
    } else refused.push({ instanceId: id, reason });
  });
  const kept = resources.filter((r) => !dropped.has(r.properties.InstanceID ?? ''));
  for (const r of kept) {
    const parent = r.properties.Parent;
    if (parent !== undefined && dropped.has(parent)) {
      delete r.properties.Parent;
      delete r.properties.AddressOnParent;
      notes.push(`Drive "${r.properties.InstanceID}" moved off the dropped controller "${parent}"`);
    }
  }
  placeOnQemuSlots(kept, notes);
  return { resources: kept, refused, notes };
}

/**
 * Moves drives to slots QEMU has (`QEMU_SLOTS`, `placeDrives`): a drive whose slot is taken (old VirtualBox exports
 * put the disk and the CD both at AddressOnParent 0 of the one IDE controller), beyond the controller's range or
 * the controller's own goes to the next free slot of its controller, else of another controller of the same kind
 * (the other IDE channel), with a note; a drive on a controller without a slot gets one. A drive with no place of
 * that kind stays where it is, and the definition check reports it.
 */
function placeOnQemuSlots(resources: ResourceSetting[], notes: string[]): void {
  const view = readDevices({ system: {}, resources });
  const { placements } = placeDrives(view, QEMU_SLOTS, { disk: [], cdrom: [] });
  const kinds = new Map(view.controllers.map((c) => [c.instanceId, c.kind]));
  for (const d of view.drives) {
    const own = d.controller;
    const p = placements.get(d.instanceId);
    if (own === undefined || p === undefined || kinds.get(p.controller) !== own.kind) continue;
    // Kept where it is, or on a controller whose drives go in order (virtio-blk): nothing to write.
    if (p.moved === undefined && (d.slotText !== undefined || QEMU_SLOTS.slots(own.kind) === undefined))
      continue;
    const props = d.resource.properties;
    props.Parent = p.controller;
    props.AddressOnParent = String(p.slot);
    if (p.moved === undefined) continue;
    const why = p.moved.endsWith('is taken')
      ? ` shared address ${d.slot} of controller "${own.instanceId}" with another drive`
      : `: ${p.moved}`;
    notes.push(
      `Drive "${d.instanceId}"${why}; it is given address ${p.slot} of controller "${p.controller}"`,
    );
  }
}
