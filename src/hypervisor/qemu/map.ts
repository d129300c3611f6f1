import {
  type HardwareView,
  type ResourceSetting,
  ResourceType,
  readHardware,
  resourceTypeName,
  resourceTypeOf,
  spell,
} from '../../model/index.js';
import type { MappingHints, MappingResult } from '../types.js';
import { NIC_MODELS } from './devices-argv.js';
import { qemuControllerKind } from './storage-argv.js';

/*
 * Mapping a package's hardware items to what QEMU offers (DSP0243 §9.3): vendor spellings of controller and NIC
 * subtypes are brought to the ones the QEMU driver knows, items with no QEMU equivalent are reported (and dropped
 * when optional or with `--lax`), and drives that share a slot are moved apart. The generic parts of a deploy
 * (firmware hints, serial console, environment CD) stay in the host.
 */

/** NIC subtypes as producers write them -> the spelling the QEMU driver knows. */
const NIC_SUBTYPES: Record<string, string> = {
  e1000: 'E1000',
  virtuale1000: 'E1000',
  e1000e: 'E1000e',
  virtuale1000e: 'E1000e',
  vmxnet3: 'VmxNet3',
  virtualvmxnet3: 'VmxNet3',
  pcnet32: 'PCNet32',
  pcnet: 'PCNet32',
  virtualpcnet32: 'PCNet32',
  flexible: 'PCNet32', // VMware's "Flexible" adapter is a PCnet32 until VMware Tools morph it
  virtio: 'virtio',
  'virtio-net': 'virtio',
  'virtio-net-pci': 'virtio',
  rtl8139: 'rtl8139',
  // QEMU has no vmxnet/vmxnet2 device; every guest has an e1000 driver, so that is what such a NIC is given.
  vmxnet: 'E1000',
  vmxnet2: 'E1000',
  virtualvmxnet: 'E1000',
  virtualvmxnet2: 'E1000',
};

const lower = (s: string | undefined) => (s ?? '').trim().toLowerCase();

/** Brings vendor subtype spellings to the driver's; returns a note for each change that is more than spelling. */
function normalize(r: ResourceSetting, notes: string[]): void {
  const p = r.properties;
  const type = resourceTypeOf(r);
  const sub = lower(p.ResourceSubType);
  if (type === ResourceType.EthernetAdapter && sub !== '') {
    // Producers list alternatives, separated by spaces or commas ("VmxNet3 virtio"); the first known one is used.
    const first = sub.split(/[\s,]+/).find((x) => NIC_SUBTYPES[x] !== undefined) ?? '';
    const known = NIC_SUBTYPES[first];
    if (known !== undefined && known !== p.ResourceSubType) {
      if (first === 'flexible')
        notes.push(`NIC "${p.InstanceID}": VMware's Flexible adapter is given as PCNet32`);
      if (first.includes('vmxnet') && first !== 'vmxnet3' && first !== 'virtualvmxnet3')
        notes.push(`NIC "${p.InstanceID}": QEMU has no ${p.ResourceSubType} device; it is given as E1000`);
      p.ResourceSubType = known;
    }
  }
  // VirtualBox writes its SAS controller as a storage device (20) of subtype LsiLogicSas.
  if (type === ResourceType.OtherStorageDevice && sub === 'lsilogicsas') p.ResourceType = '6';
  if (type === ResourceType.ParallelScsiHba && /[\s,]/.test(sub)) {
    // A list of alternatives (`buslogic,lsilogic`): the first kind QEMU has, written as Vessel spells it.
    const [ctl] = readHardware([r]).controllers;
    const kind = ctl === undefined ? undefined : qemuControllerKind(ctl);
    const spelled = kind === undefined ? undefined : spell(kind, 'vessel')?.ResourceSubType;
    if (spelled !== undefined) p.ResourceSubType = spelled;
  }
}

/** Why the QEMU host cannot give this item, or undefined when it can. */
function unmappableReason(r: ResourceSetting, hw: HardwareView): string | undefined {
  const id = r.properties.InstanceID;
  const type = resourceTypeOf(r);
  if (type === ResourceType.Processor || type === ResourceType.Memory) return undefined;
  const ctl = hw.controllers.find((c) => c.instanceId === id);
  if (ctl !== undefined) {
    // The driver's device table decides (VirtualBox's RT 20 VirtioSCSI is a SCSI HBA QEMU has).
    if (ctl.kind === 'scsi' && qemuControllerKind(ctl) === undefined)
      return `SCSI controller subtype "${ctl.subType}" has no QEMU equivalent`;
    return undefined;
  }
  if (hw.drives.some((d) => d.instanceId === id)) return undefined;
  const nic = hw.nics.find((n) => n.instanceId === id);
  if (nic !== undefined) {
    const sub = lower(nic.subType);
    return sub === '' || NIC_MODELS[sub] !== undefined
      ? undefined
      : `network adapter model "${nic.subType}" has no QEMU equivalent`;
  }
  if ([hw.serials, hw.graphics, hw.usb, hw.sound].some((g) => g.some((x) => x.instanceId === id)))
    return undefined;
  const name = type === undefined ? undefined : resourceTypeName(type);
  const sub = r.properties.ResourceSubType ? ` "${r.properties.ResourceSubType}"` : '';
  return `${name ?? 'unknown resource type'}${sub} (ResourceType ${r.properties.ResourceType ?? '?'}) has no QEMU equivalent`;
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
  for (const r of resources) normalize(r, notes);
  const hw = readHardware(resources);
  const refused: MappingResult['refused'] = [];
  const dropped = new Set<string>();
  resources.forEach((r, i) => {
    const reason = unmappableReason(r, hw);
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
  separateSharedSlots(kept, notes);
  return { resources: kept, refused, notes };
}

/** Slots per controller kind, as the host's definition checks count them. */
const SLOTS: Record<string, number> = { ide: 2, sata: 6, scsi: 16, nvme: 256 };

/**
 * Old VirtualBox exports put the disk and the CD both at AddressOnParent 0 of the one IDE controller; VirtualBox
 * itself places them on different channels. A drive that shares its slot with an earlier one moves to the next
 * free slot of the same controller, with a note; when there is none, the definition check reports the clash.
 */
function separateSharedSlots(resources: ResourceSetting[], notes: string[]): void {
  const hw = readHardware(resources);
  const used = new Map<string, Set<number>>();
  for (const d of hw.drives) {
    const ctl = hw.controllers.find((c) => c.instanceId === d.parent);
    const slots = ctl === undefined ? undefined : SLOTS[ctl.kind];
    if (ctl === undefined || slots === undefined || d.addressOnParent === undefined) continue;
    const taken = used.get(ctl.instanceId) ?? new Set<number>();
    used.set(ctl.instanceId, taken);
    if (!taken.has(d.addressOnParent)) {
      taken.add(d.addressOnParent);
      continue;
    }
    // The next free slot of this controller, else of another controller of the same kind (the other IDE channel).
    const candidates = [ctl, ...hw.controllers.filter((c) => c !== ctl && c.kind === ctl.kind)];
    let placed: { ctl: string; slot: number } | undefined;
    for (const c of candidates) {
      const t = used.get(c.instanceId) ?? new Set<number>();
      used.set(c.instanceId, t);
      for (let slot = 0; slot < slots && placed === undefined; slot++) {
        if (!t.has(slot)) {
          t.add(slot);
          placed = { ctl: c.instanceId, slot };
        }
      }
      if (placed) break;
    }
    if (placed === undefined) continue;
    const r = resources.find((x) => x.properties.InstanceID === d.instanceId);
    if (r) {
      r.properties.Parent = placed.ctl;
      r.properties.AddressOnParent = String(placed.slot);
    }
    notes.push(
      `Drive "${d.instanceId}" shared address ${d.addressOnParent} of controller "${ctl.instanceId}" with another drive; it is given address ${placed.slot} of controller "${placed.ctl}"`,
    );
  }
}
