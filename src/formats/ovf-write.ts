import {
  quantityProperties,
  type ResourceSetting,
  ResourceType,
  readDevices,
  resourceTypeName,
  resourceTypeOf,
} from '../model/index.js';
import {
  addNetwork,
  createEnvelope,
  diskIdOf,
  fileIdOf,
  hardwareOf,
  OVF1_RASD_PROPERTIES,
  type OvfDisk,
  type OvfEnvelope,
  type OvfItem,
  setAnnotation,
  setCpus,
  setMemory,
  targetSystem,
  VBOX_NS,
  VMW_NS,
} from '../ovf/index.js';
import { element, text, type XmlElement } from '../xml/index.js';
import { uriForFormat } from './disk-formats.js';
import { FormatError } from './errors.js';
import { cimOsDescription, vmwareGuestId } from './guest-os.js';
import { baseName, printable } from './paths.js';
import { systemFacts } from './system.js';
import type { OutputDisk, SystemPackage } from './types.js';
import type { Warnings } from './warnings.js';

const ext = () => ({ attrs: [], extra: [] });

/** Resource types whose Connection names a network of NetworkSection. */
const NETWORK_TYPES = new Set<number>([
  ResourceType.EthernetAdapter,
  ResourceType.OtherNetworkAdapter,
  ResourceType.EthernetSwitchPort,
  ResourceType.EthernetConnection,
]);

/**
 * Writes a {@link SystemPackage} as an OVF 1.0 envelope: the definition's RASDs as Items (InstanceIDs kept),
 * disks in DiskSection with their files in References (by file name: an OVF package holds its files beside the
 * descriptor, sizes in the largest exact binary unit), networks in NetworkSection, the guest OS, the annotation,
 * and EFI firmware as VMware's `vmw:Config firmware="efi"`. Only network resources keep rasd:Connection (a serial
 * port's file is no network); the boot order has no place yet. Each loss is a warning. A disk whose capacity is
 * unknown throws `FORMAT_DISK_CAPACITY`.
 */
export function writeOvfPackage(
  pkg: SystemPackage,
  warnings: Warnings,
): { env: OvfEnvelope; disks: OutputDisk[] } {
  const devices = readDevices(pkg.definition);
  const view = systemFacts(pkg, devices, warnings);
  const sys = pkg.definition.system;
  const os = pkg.guestOs;
  const env = createEnvelope({
    name: view.name,
    cpus: view.cpus,
    memoryBytes: view.memoryBytes,
    osId: String(os?.osType ?? 1),
    osDescription: os?.description ?? cimOsDescription(os?.osType ?? 1) ?? 'Other',
    virtualSystemType: sys.VirtualSystemType ?? 'vmx-13',
  });
  const system = targetSystem(env);
  const hw = hardwareOf(system)!;
  if (hw.system && sys.VirtualSystemIdentifier)
    hw.system.properties.VirtualSystemIdentifier = sys.VirtualSystemIdentifier;
  const osSection = system.sections.find((s) => s.kind === 'OperatingSystemSection');
  if (os !== undefined && osSection?.kind === 'OperatingSystemSection') {
    env.nsDecls.push(['vmw', VMW_NS]);
    osSection.attrs.push({ ns: VMW_NS, local: 'osType', prefix: 'vmw', value: vmwareGuestId(os) });
    if (os.vbox !== undefined) {
      env.nsDecls.push(['vbox', VBOX_NS]);
      const el = element(VBOX_NS, 'OSType', 'vbox', [text(os.vbox)]);
      el.attrs.push({ ns: env.namespace, local: 'required', prefix: 'ovf', value: 'false' });
      osSection.extra.push(el);
    }
  }
  const { items, disks } = itemsAndFiles(env, pkg, warnings);
  const hasType = (t: number) => items.some((i) => resourceTypeOf(i.resource) === t);
  hw.items = hw.items.filter((i) => !hasType(resourceTypeOf(i.resource) ?? -1));
  hw.items.push(...items);
  if (!hasType(ResourceType.Processor)) setCpus(system, view.cpus);
  if (!hasType(ResourceType.Memory)) setMemory(system, view.memoryBytes);
  for (const n of devices.nics) if (n.network !== undefined) addNetwork(env, n.network);
  if (devices.system.bootOrder.length > 0)
    warnings.add(
      'BOOT_ORDER',
      `The converted OVF has no place for the boot order (${devices.system.bootOrder.join(', ')}); dropped`,
    );
  if (view.annotation) setAnnotation(system, view.annotation);
  if (view.firmware === 'efi') {
    if (!env.nsDecls.some(([, u]) => u === VMW_NS)) env.nsDecls.push(['vmw', VMW_NS]);
    hw.extra.push(vmwConfig(env.namespace, 'firmware', 'efi'));
  }
  return { env, disks };
}

function vmwConfig(ovfNs: string, key: string, value: string): XmlElement {
  const el = element(VMW_NS, 'Config', 'vmw');
  el.attrs.push(
    { ns: ovfNs, local: 'required', prefix: 'ovf', value: 'false' },
    { ns: VMW_NS, local: 'key', prefix: 'vmw', value: key },
    { ns: VMW_NS, local: 'value', prefix: 'vmw', value },
  );
  return el;
}

function itemsAndFiles(
  env: OvfEnvelope,
  pkg: SystemPackage,
  warnings: Warnings,
): { items: OvfItem[]; disks: OutputDisk[] } {
  const hrefs = new Set<string>();
  const out: OutputDisk[] = [];
  let fileNo = 0;
  const reference = (source: string, what: string): { id: string; href: string } => {
    let href = baseName(source);
    if (hrefs.has(href)) {
      const dot = href.lastIndexOf('.');
      let n = 2;
      const stem = dot > 0 ? href.slice(0, dot) : href;
      const extn = dot > 0 ? href.slice(dot) : '';
      while (hrefs.has(`${stem}-${n}${extn}`)) n++;
      const renamed = `${stem}-${n}${extn}`;
      warnings.add(
        'DISK_NAME',
        `${what}: "${printable(source)}" has the same file name as another image; written as "${renamed}"`,
      );
      href = renamed;
    }
    hrefs.add(href);
    const id = `file${++fileNo}`;
    env.references.push({ id, href, ...ext() });
    return { id, href };
  };
  const ovfDisks: OvfDisk[] = [];
  for (const d of pkg.disks) {
    if (d.capacityBytes === undefined) {
      throw new FormatError(
        'FORMAT_DISK_CAPACITY',
        `Disk "${d.id}"${d.file ? ` (${printable(d.file)})` : ''}: its capacity is unknown, and an OVF Disk needs one`,
        { hint: 'Keep the image beside the input, so that vessel convert can read its size with qemu-img.' },
      );
    }
    const ref = d.file === undefined ? undefined : reference(d.file, `Disk "${d.id}"`);
    const size = quantityProperties(d.capacityBytes, 'ovf1');
    ovfDisks.push({
      diskId: d.id,
      capacity: size.VirtualQuantity!,
      capacityAllocationUnits: size.AllocationUnits!,
      fileRef: ref?.id,
      format: uriForFormat(d.format),
      ...ext(),
    });
    if (ref)
      out.push({
        source: d.file,
        target: ref.href,
        capacityBytes: d.capacityBytes,
        format: d.format,
        kind: 'disk',
      });
  }
  if (ovfDisks.length > 0) {
    env.sections.unshift({
      kind: 'DiskSection',
      info: { text: 'Virtual disk information' },
      disks: ovfDisks,
      ...ext(),
    });
  }
  const fileIds = new Map<string, string>();
  for (const f of pkg.files) {
    const ref = reference(f.file, `Image "${f.id}"`);
    fileIds.set(f.id, ref.id);
    out.push({ source: f.file, target: ref.href, kind: 'cdrom' });
  }
  const diskIds = new Set(pkg.disks.map((d) => d.id));
  const items = pkg.definition.resources.map((r, i) => toItem(r, i, fileIds, diskIds, warnings));
  return { items, disks: out };
}

function toItem(
  r: ResourceSetting,
  index: number,
  fileIds: Map<string, string>,
  diskIds: Set<string>,
  warnings: Warnings,
): OvfItem {
  const props: Record<string, string | string[]> = {};
  const id = r.properties.InstanceID ?? `r${index + 1}`;
  const type = resourceTypeOf(r);
  for (const [k, v] of Object.entries(r.properties)) {
    if (v === undefined) continue;
    if (k === 'Connection' && !NETWORK_TYPES.has(type ?? -1)) {
      // DSP0243 §9.5: rasd:Connection names a Network of NetworkSection; a serial port's file or pipe is none.
      const what = type === ResourceType.SerialPort ? 'serial port' : 'resource';
      warnings.add(
        type === ResourceType.SerialPort ? 'SERIAL' : 'DEVICE',
        `The converted OVF has no place for where ${what} "${id}" is connected (${printable(String(v))}): rasd:Connection names networks; dropped`,
      );
      continue;
    }
    if (!OVF1_RASD_PROPERTIES.has(k)) {
      warnings.add('DEVICE', `Resource "${id}": property ${k} has no place in an OVF Item; dropped`);
      continue;
    }
    props[k] = v;
  }
  props.InstanceID = id;
  if (props.ElementName === undefined)
    props.ElementName = (type === undefined ? undefined : resourceTypeName(type)) ?? `Resource ${id}`;
  const hosts = r.properties.HostResource;
  if (hosts) {
    props.HostResource = hosts.flatMap((h) => {
      const f = fileIdOf(h);
      if (f !== undefined) return fileIds.has(f) ? [`ovf:/file/${fileIds.get(f)}`] : [];
      const d = diskIdOf(h);
      if (d !== undefined) return diskIds.has(d) ? [`ovf:/disk/${d}`] : [];
      return [h];
    });
    if ((props.HostResource as string[]).length === 0) delete props.HostResource;
  }
  return {
    element: 'Item',
    resource: { cimClass: 'CIM_ResourceAllocationSettingData', properties: props },
    ...ext(),
  };
}
