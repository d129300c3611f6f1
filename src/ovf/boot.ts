import {
  type DeviceView,
  type DriveDevice,
  type Firmware,
  type NicDevice,
  ResourceType,
  resolveBootOrder,
} from '../model/index.js';
import { element, text, textContent, type XmlElement } from '../xml/index.js';
import { BOOTC_NS, BOOTS_NS, VBOX_NS, VESSEL_NS, VMW_NS } from './namespaces.js';
import { hardwareOf } from './select.js';
import type { OvfContent, OvfSection, OvfUnknownSection } from './types.js';

/**
 * Firmware and boot order in OVF, read and written in one place. DSP0243 has no firmware property: VMware's
 * `<vmw:Config vmw:key="firmware">` in the VirtualHardwareSection is what VMware, virt-v2v and Vessel read, and
 * VirtualBox's `vbox:Machine` says it too. Boot order: OVF 2.x has BootDeviceSection (DSP8023 2.0
 * BootDeviceSection_Type: one CIM_BootConfigSetting whose CIM_BootSourceSetting children are the boot sources,
 * first first); OVF 1.x has nothing, so Vessel writes `<vessel:BootOrder ovf:required="false">`, which other
 * consumers skip.
 */

/** At most this many boot sources are read from a descriptor (a PC firmware lists a handful). */
const MAX_BOOT_SOURCES = 256;

const attr = (el: XmlElement, local: string) => el.attrs.find((a) => a.local === local)?.value;
const children = (el: XmlElement) => el.children.filter((c): c is XmlElement => c.type === 'element');

/** The first descendant element with that local name, at most `depth` levels down. */
function find(el: XmlElement, local: string, depth = 8): XmlElement | undefined {
  if (depth === 0) return undefined;
  for (const c of children(el)) {
    if (c.local === local) return c;
    const deeper = find(c, local, depth - 1);
    if (deeper) return deeper;
  }
  return undefined;
}

/**
 * The firmware a VirtualSystem asks for: VMware's `vmw:Config firmware` in its VirtualHardwareSection (`efi`,
 * anything else is BIOS), else VirtualBox's `vbox:Machine/.../Firmware@type` (`EFI`, `EFI64`... are EFI).
 * Undefined when neither says.
 *
 * @example
 * firmwareFromOvf(virtualSystems(parseOvf(xml))[0]!); // 'efi'
 */
export function firmwareFromOvf(system: OvfContent): Firmware | undefined {
  for (const el of hardwareOf(system)?.extra ?? []) {
    if (el.ns === VMW_NS && el.local === 'Config' && attr(el, 'key') === 'firmware')
      return (attr(el, 'value') ?? '').trim().toLowerCase() === 'efi' ? 'efi' : 'bios';
  }
  const machines = [
    ...system.sections.flatMap((s) => (s.kind === 'Unknown' ? [s.element] : [])),
    ...system.extra,
  ].filter((e) => e.ns === VBOX_NS && e.local === 'Machine');
  for (const m of machines) {
    const type = (() => {
      const fw = find(m, 'Firmware');
      return fw === undefined ? undefined : attr(fw, 'type');
    })();
    if (type !== undefined) return /efi/i.test(type) ? 'efi' : 'bios';
  }
  return undefined;
}

/** `vmw:Config firmware`, marked optional so that consumers without VMware's extensions skip it. */
export function firmwareElement(ovfNs: string, firmware: Firmware): XmlElement {
  const el = element(VMW_NS, 'Config', 'vmw');
  el.attrs.push(
    { ns: ovfNs, local: 'required', prefix: 'ovf', value: 'false' },
    { ns: VMW_NS, local: 'key', prefix: 'vmw', value: 'firmware' },
    { ns: VMW_NS, local: 'value', prefix: 'vmw', value: firmware },
  );
  return el;
}

/** The DMTF boot source identifiers (CIM_BootSourceSetting.StructuredBootString, `CIM:<identifier>:<index>`). */
const BOOT_KIND: Record<string, readonly number[]> = {
  'Hard-Disk': [ResourceType.DiskDrive],
  'CD/DVD': [ResourceType.CdDrive, ResourceType.DvdDrive],
  Floppy: [ResourceType.FloppyDrive],
  Network: [ResourceType.EthernetAdapter],
};

function bootKind(d: DriveDevice | NicDevice): string {
  if (d.device === 'nic') return 'Network';
  return d.kind === 'disk' ? 'Hard-Disk' : d.kind === 'cdrom' ? 'CD/DVD' : 'Floppy';
}

/** The devices of the view's BootOrder, with their DMTF structured boot string (`CIM:Hard-Disk:1`). */
function bootSources(view: DeviceView): { device: DriveDevice | NicDevice; structured: string }[] {
  const { devices } = resolveBootOrder(view);
  return devices.map((device) => {
    const kind = bootKind(device);
    const same = [...view.drives, ...view.nics].filter((d) => bootKind(d) === kind);
    return { device, structured: `CIM:${kind}:${same.indexOf(device) + 1}` };
  });
}

/**
 * The view's BootOrder as OVF 1.x carries it: `<vessel:BootOrder ovf:required="false">` with one
 * `<vessel:Device>` per boot device (its InstanceID), first first. Undefined when the order names no device.
 */
export function bootOrderElement(ovfNs: string, view: DeviceView): XmlElement | undefined {
  const sources = bootSources(view);
  if (sources.length === 0) return undefined;
  const el = element(
    VESSEL_NS,
    'BootOrder',
    'vessel',
    sources.map((s) => element(VESSEL_NS, 'Device', 'vessel', [text(s.device.instanceId)])),
  );
  el.attrs.push({ ns: ovfNs, local: 'required', prefix: 'ovf', value: 'false' });
  return el;
}

/**
 * The view's BootOrder as OVF 2.x carries it: a BootDeviceSection whose CIM_BootConfigSetting lists one
 * CIM_BootSourceSetting per device (InstanceID: the device's; StructuredBootString: `CIM:<kind>:<n>`, the n-th
 * device of that kind), marked optional. Undefined when the order names no device.
 */
export function bootDeviceSection(ovfNs: string, view: DeviceView): OvfUnknownSection | undefined {
  const sources = bootSources(view);
  if (sources.length === 0) return undefined;
  const prop = (ns: string, prefix: string, name: string, value: string) =>
    element(ns, name, prefix, [text(value)]);
  const config = element(BOOTC_NS, 'CIM_BootConfigSetting', 'bootc', [
    prop(BOOTC_NS, 'bootc', 'ElementName', 'Boot order'),
    prop(BOOTC_NS, 'bootc', 'InstanceID', 'vessel:boot-order'),
    ...sources.map((s) => {
      const p = s.device.resource.properties;
      return element(BOOTS_NS, 'CIM_BootSourceSetting', 'boots', [
        prop(BOOTS_NS, 'boots', 'ElementName', p.ElementName ?? s.device.instanceId),
        prop(BOOTS_NS, 'boots', 'InstanceID', s.device.instanceId),
        prop(BOOTS_NS, 'boots', 'StructuredBootString', s.structured),
      ]);
    }),
  ]);
  const section = element(ovfNs, 'BootDeviceSection', 'ovf', [
    element(ovfNs, 'Info', 'ovf', [text('Boot device order')]),
    config,
  ]);
  section.attrs.push({ ns: ovfNs, local: 'required', prefix: 'ovf', value: 'false' });
  return { kind: 'Unknown', element: section, required: 'false' };
}

/** The items a boot source's structured string can name: the n-th item of the kind, in definition order. */
type ItemIds = readonly { instanceId: string | undefined; resourceType: number | undefined }[];

function fromStructured(structured: string, items: ItemIds): string | undefined {
  const m = /^CIM:([^:]+):(\d{1,4})$/.exec(structured.trim());
  const types = m === null ? undefined : BOOT_KIND[m[1]!];
  if (types === undefined) return undefined;
  return items.filter((i) => i.resourceType !== undefined && types.includes(i.resourceType))[
    Number(m![2]) - 1
  ]?.instanceId;
}

/**
 * The boot order a VirtualSystem states: its BootDeviceSection (OVF 2.x; a source is found by its InstanceID,
 * else by its `CIM:<kind>:<n>` structured boot string) or Vessel's `vessel:BootOrder` (OVF 1.x), as InstanceIDs,
 * first first. Undefined when it states none. `items` are the system's hardware items, to resolve structured
 * strings.
 *
 * @example
 * bootOrderFromOvf(system, items); // ['6', '9']
 */
export function bootOrderFromOvf(system: OvfContent, items: ItemIds): string[] | undefined {
  const ids = new Set(items.map((i) => i.instanceId));
  const section = system.sections.find(
    (s): s is OvfUnknownSection => s.kind === 'Unknown' && s.element.local === 'BootDeviceSection',
  );
  const config = section === undefined ? undefined : find(section.element, 'CIM_BootConfigSetting', 1);
  if (config !== undefined) {
    const out: string[] = [];
    for (const src of children(config).filter(
      (c) => c.ns === BOOTS_NS && c.local === 'CIM_BootSourceSetting',
    )) {
      if (out.length >= MAX_BOOT_SOURCES) break;
      const value = (local: string) => {
        const c = children(src).find((x) => x.local === local);
        return c === undefined ? undefined : textContent(c).trim();
      };
      const id = value('InstanceID');
      const named = id !== undefined && ids.has(id) ? id : undefined;
      const resolved = named ?? fromStructured(value('StructuredBootString') ?? '', items);
      if (resolved !== undefined) out.push(resolved);
    }
    return out;
  }
  const ext = hardwareOf(system)?.extra.find((e) => e.ns === VESSEL_NS && e.local === 'BootOrder');
  if (ext === undefined) return undefined;
  return children(ext)
    .filter((c) => c.ns === VESSEL_NS && c.local === 'Device')
    .slice(0, MAX_BOOT_SOURCES)
    .map((c) => textContent(c).trim())
    .filter((id) => id !== '');
}

/** True for what Vessel writes itself and so never carries from a source: firmware and boot order elements. */
export function isBootOrFirmware(x: XmlElement | OvfSection): boolean {
  if ('kind' in x) return x.kind === 'Unknown' && x.element.local === 'BootDeviceSection';
  return (
    (x.ns === VMW_NS && x.local === 'Config' && attr(x, 'key') === 'firmware') ||
    (x.ns === VESSEL_NS && x.local === 'BootOrder')
  );
}
