import { qemuControllerKind } from '../hypervisor/index.js';
import {
  FIRMWARE_PROPERTY,
  type HardwareView,
  type ResourceSetting,
  ResourceType,
  readHardware,
  resourceTypeName,
  resourceTypeOf,
  type VirtualSystemDefinition,
} from '../model/index.js';
import { hardwareOf, type OvfContent, VBOX_NS, VMW_NS } from '../ovf/index.js';
import type { XmlElement } from '../xml/index.js';

/**
 * Mapping a package's hardware items to what this host's QEMU offers (DSP0243 §9.3): vendor spellings of
 * controller and NIC subtypes are brought to the ones the QEMU driver knows, items with no QEMU equivalent are
 * reported (and dropped when optional or with `--lax`), firmware comes from VMware's or VirtualBox's hints, a
 * serial console is added when the package has no serial port, and the OVF environment CD is attached.
 */

/** SCSI subtypes the deploy picks from a producer's list of alternatives (`buslogic,lsilogic`: the first). */
const SCSI_SUBTYPES = new Set([
  'lsilogic',
  'lsi',
  'buslogic',
  'lsilogicsas',
  'lsi-sas',
  'megasas',
  'virtualscsi',
  'pvscsi',
  'virtio-scsi',
]);

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

/** One item the host cannot give the system. */
export interface Unmapped {
  instanceId: string;
  reason: string;
}

/** What {@link mapHardware} decided. */
export interface HardwareMapping {
  resources: ResourceSetting[];
  /** Unmappable items that are required (and no `--lax`): the deploy is refused with these. */
  refused: Unmapped[];
  /** What was changed or dropped, one line each. */
  notes: string[];
}

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
    const first = sub.split(/[\s,]+/).find((s) => SCSI_SUBTYPES.has(s));
    if (first !== undefined) p.ResourceSubType = first;
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
    return sub === '' || Object.values(NIC_SUBTYPES).some((k) => k.toLowerCase() === sub)
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
 * Maps the resources of one system for this host. `optional(id)` says whether the item with that InstanceID is
 * `ovf:required="false"`. Unmappable optional items (every one with `lax`) are dropped with a note; drives whose
 * controller was dropped lose their Parent and are attached as virtio disks (CDs on IDE).
 *
 * @example
 * const m = mapHardware(def.resources, (id) => optionalIds.has(id), false);
 * if (m.refused.length) throw ...;
 */
export function mapHardware(
  input: readonly ResourceSetting[],
  optional: (instanceId: string) => boolean,
  lax: boolean,
): HardwareMapping {
  const notes: string[] = [];
  const resources = input.map((r) => structuredClone(r));
  for (const r of resources) normalize(r, notes);
  const hw = readHardware(resources);
  const refused: Unmapped[] = [];
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

function attr(el: XmlElement, local: string): string | undefined {
  return el.attrs.find((a) => a.local === local)?.value;
}

function find(el: XmlElement, local: string, depth = 0): XmlElement | undefined {
  if (depth > 8) return undefined;
  for (const c of el.children) {
    if (c.type !== 'element') continue;
    if (c.local === local) return c;
    const deeper = find(c, local, depth + 1);
    if (deeper) return deeper;
  }
  return undefined;
}

/**
 * The firmware a package asks for: VMware's `<vmw:Config ovf:required="false" vmw:key="firmware" vmw:value="efi"/>`
 * in the VirtualHardwareSection, or VirtualBox's `<vbox:Machine>...<Firmware type="EFI"/>`. Undefined: no hint.
 */
export function firmwareHint(system: OvfContent): 'bios' | 'efi' | undefined {
  for (const el of hardwareOf(system)?.extra ?? []) {
    if (el.ns === VMW_NS && el.local === 'Config' && attr(el, 'key') === 'firmware') {
      return lower(attr(el, 'value')) === 'efi' ? 'efi' : 'bios';
    }
  }
  const machines = [
    ...system.sections.flatMap((s) => (s.kind === 'Unknown' ? [s.element] : [])),
    ...system.extra,
  ].filter((e) => e.ns === VBOX_NS && e.local === 'Machine');
  for (const m of machines) {
    const fw = find(m, 'Firmware');
    const type = fw === undefined ? undefined : attr(fw, 'type');
    if (type !== undefined) return /efi/i.test(type) ? 'efi' : 'bios';
  }
  return undefined;
}

/** The smallest whole-number InstanceID above every numeric one of the definition. */
function freeInstanceId(def: VirtualSystemDefinition): string {
  let max = 0;
  for (const r of def.resources) {
    const n = Number(r.properties.InstanceID);
    if (Number.isSafeInteger(n) && n > max) max = n;
  }
  return String(max + 1);
}

/**
 * Gives the system a serial console when it has no serial port: Vessel shows a guest's console through its
 * first serial port, where VMware and VirtualBox show a screen. Returns a note, or undefined when none was added.
 */
export function ensureSerialConsole(def: VirtualSystemDefinition): string | undefined {
  if (readHardware(def.resources).serials.length > 0) return undefined;
  const id = freeInstanceId(def);
  def.resources.push({
    cimClass: 'CIM_ResourceAllocationSettingData',
    properties: { InstanceID: id, ResourceType: '21', ElementName: 'Serial console (added by Vessel)' },
  });
  return `Added serial port "${id}" as the system's console`;
}

/**
 * Puts the OVF environment ISO in the first CD/DVD drive without media, or adds a CD drive for it on a free IDE
 * (pc) or SATA slot, or with no controller (QEMU places it on the first free IDE unit). Returns the drive's id.
 */
export function attachEnvironmentCd(def: VirtualSystemDefinition, isoPath: string): string {
  const hw = readHardware(def.resources);
  const empty = hw.drives.find(
    (d) => d.kind === 'cdrom' && (d.hostResource === undefined || d.hostResource.trim() === ''),
  );
  const host = `file://${isoPath}`;
  if (empty !== undefined) {
    const r = def.resources.find((x) => x.properties.InstanceID === empty.instanceId)!;
    r.properties.HostResource = [host];
    return empty.instanceId;
  }
  const id = freeInstanceId(def);
  const properties: Record<string, string | string[]> = {
    InstanceID: id,
    ResourceType: '15',
    ElementName: 'OVF environment CD (added by Vessel)',
    HostResource: [host],
  };
  for (const c of hw.controllers.filter((x) => x.kind === 'ide' || x.kind === 'sata')) {
    const slots = c.kind === 'ide' ? 2 : 6;
    const used = new Set(hw.drives.filter((d) => d.parent === c.instanceId).map((d) => d.addressOnParent));
    const free = [...Array(slots).keys()].find((n) => !used.has(n));
    if (free !== undefined) {
      properties.Parent = c.instanceId;
      properties.AddressOnParent = String(free);
      break;
    }
  }
  def.resources.push({ cimClass: 'CIM_ResourceAllocationSettingData', properties });
  return id;
}

/** Sets the VSSD Firmware from the package's hint. */
export function applyFirmware(def: VirtualSystemDefinition, system: OvfContent): string | undefined {
  const fw = firmwareHint(system);
  if (fw === undefined) return undefined;
  def.system[FIRMWARE_PROPERTY] = fw;
  return fw === 'efi' ? 'The package asks for EFI firmware' : undefined;
}

/**
 * Gives a system without a Processor or Memory item what VMware's deploy gives it (1 virtual CPU; memory: 512 MiB
 * here), with a note each, instead of refusing a package that leaves them to the platform.
 */
export function defaultCpuAndMemory(def: { resources: ResourceSetting[] }): string[] {
  const notes: string[] = [];
  const used = new Set(def.resources.map((r) => r.properties.InstanceID));
  const freeId = (base: string) => {
    let id = base;
    for (let i = 1; used.has(id); i++) id = `${base}-${i}`;
    used.add(id);
    return id;
  };
  const has = (t: number) => def.resources.some((r) => resourceTypeOf(r) === t);
  if (!has(ResourceType.Processor)) {
    def.resources.unshift({
      cimClass: 'CIM_ResourceAllocationSettingData',
      properties: {
        InstanceID: freeId('vessel-cpu'),
        ElementName: '1 virtual CPU',
        ResourceType: '3',
        VirtualQuantity: '1',
      },
    });
    notes.push('The package gives no Processor item; the system gets 1 virtual CPU');
  }
  if (!has(ResourceType.Memory)) {
    def.resources.unshift({
      cimClass: 'CIM_ResourceAllocationSettingData',
      properties: {
        InstanceID: freeId('vessel-memory'),
        ElementName: '512MB of memory',
        ResourceType: '4',
        VirtualQuantity: '512',
        AllocationUnits: 'byte * 2^20',
      },
    });
    notes.push('The package gives no Memory item; the system gets 512 MiB');
  }
  return notes;
}
