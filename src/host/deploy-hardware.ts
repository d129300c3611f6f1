import {
  FIRMWARE_PROPERTY,
  type ResourceSetting,
  ResourceType,
  readHardware,
  resourceTypeOf,
  type VirtualSystemDefinition,
} from '../model/index.js';
import { hardwareOf, type OvfContent, VBOX_NS, VMW_NS } from '../ovf/index.js';
import type { XmlElement } from '../xml/index.js';

/*
 * The generic parts of mapping a package's hardware (DSP0243 §9.3), whatever the driver: firmware from VMware's or
 * VirtualBox's hints, a serial console when the package has no serial port, the OVF environment CD, and default
 * CPU and memory. What a driver runs (vendor subtypes, items it has no equivalent of) is the driver's
 * `mapHardware` hook (the QEMU driver's: hypervisor/qemu/map.ts).
 */

const lower = (s: string | undefined) => (s ?? '').trim().toLowerCase();

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
