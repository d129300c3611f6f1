import {
  classifyResource,
  DefinitionBuilder,
  FIRMWARE_PROPERTY,
  MODEL_SLOTS,
  placeDrives,
  type ResourceSetting,
  readDevices,
  type VirtualSystemDefinition,
} from '../model/index.js';
import { hardwareOf, type OvfContent, VBOX_NS, VMW_NS } from '../ovf/index.js';
import type { XmlElement } from '../xml/index.js';

/*
 * The generic parts of mapping a package's hardware (DSP0243 §9.3), whatever the driver: firmware from VMware's or
 * VirtualBox's hints, a serial console when the package has no serial port, the OVF environment CD, and default
 * CPU and memory, read through the model's device view and built with the model's one builder. What a driver runs
 * (vendor subtypes, items it has no equivalent of, its slot limits) is the driver's `mapHardware` and `validate`
 * hooks (the QEMU driver's: hypervisor/qemu/map.ts, validate.ts).
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

/** One RASD made by the model's builder (`add` calls one of its methods), with InstanceID `id`. */
function built(id: string, add: (b: DefinitionBuilder) => string): ResourceSetting {
  const b = new DefinitionBuilder();
  add(b);
  const r = b.build().resources[0]!;
  r.properties.InstanceID = id;
  return r;
}

/**
 * Gives the system a serial console when it has no serial port: Vessel shows a guest's console through its
 * first serial port, where VMware and VirtualBox show a screen. Returns a note, or undefined when none was added.
 */
export function ensureSerialConsole(def: VirtualSystemDefinition): string | undefined {
  if (readDevices(def).serials.length > 0) return undefined;
  const id = freeInstanceId(def);
  def.resources.push(built(id, (b) => b.serial(undefined, 'Serial console (added by Vessel)')));
  return `Added serial port "${id}" as the system's console`;
}

/**
 * Puts the OVF environment ISO in the first CD/DVD drive without media, or adds a CD drive for it: on a free slot
 * of an IDE channel the system has (ATA master and slave, the same on every platform), else with no controller,
 * which the driver places as it places any drive without one (QEMU: on a free IDE or SATA unit). Returns the
 * drive's id.
 */
export function attachEnvironmentCd(def: VirtualSystemDefinition, isoPath: string): string {
  const host = `file://${isoPath}`;
  const empty = readDevices(def).drives.find(
    (d) => d.kind === 'cdrom' && (d.hostResource === undefined || d.hostResource.trim() === ''),
  );
  if (empty !== undefined) {
    empty.resource.properties.HostResource = [host];
    return empty.instanceId;
  }
  const id = freeInstanceId(def);
  const cd = built(id, (b) => b.drive('cdrom', {}, host, { name: 'OVF environment CD (added by Vessel)' }));
  def.resources.push(cd);
  const { placements, added } = placeDrives(readDevices(def), MODEL_SLOTS, { disk: [], cdrom: ['ide'] });
  const place = placements.get(id);
  if (place !== undefined && !added.some((a) => a.instanceId === place.controller)) {
    cd.properties.Parent = place.controller;
    cd.properties.AddressOnParent = String(place.slot);
  }
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
  const has = (what: 'processor' | 'memory') =>
    def.resources.some((r) => classifyResource(r).device === what);
  if (!has('processor')) {
    def.resources.unshift(built(freeId('vessel-cpu'), (b) => b.cpus(1, '1 virtual CPU')));
    notes.push('The package gives no Processor item; the system gets 1 virtual CPU');
  }
  if (!has('memory')) {
    def.resources.unshift(built(freeId('vessel-memory'), (b) => b.memory(512n << 20n, '512MB of memory')));
    notes.push('The package gives no Memory item; the system gets 512 MiB');
  }
  return notes;
}
