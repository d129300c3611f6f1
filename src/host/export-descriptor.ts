import {
  cpuCount,
  FIRMWARE_PROPERTY,
  memoryBytes,
  type RasdProperties,
  type ResourceSetting,
  ResourceType,
  resourceTypeName,
  resourceTypeOf,
  type VirtualSystemDefinition,
  type VssdProperties,
} from '../model/index.js';
import { STREAM_VMDK_FORMAT } from '../ova/index.js';
import {
  addNetwork,
  createEnvelope,
  hardwareOf,
  OVF1_RASD_PROPERTIES,
  type OvfEnvelope,
  type OvfItem,
  type OvfSection,
  setAnnotation,
  targetSystem,
  VMW_NS,
} from '../ovf/index.js';
import { element } from '../xml/index.js';
import { type CarriedSections, carriedSections, type DeployedPackage } from './export-deployed.js';
import { applyTarget, type ExportTarget, TARGET_PROFILES } from './export-target.js';

/** A disk of the system as the package stores it: a streamOptimized VMDK File and its Disk. */
export interface PackageDiskPlan {
  /** The disk drive RASD's InstanceID. */
  instanceId: string;
  diskId: string;
  fileId: string;
  href: string;
  capacityBytes: bigint;
}

/** A CD/DVD or floppy image stored in the package as it is (HostResource `ovf:/file/ID`). */
export interface PackageMediaPlan {
  instanceId: string;
  fileId: string;
  href: string;
}

/** Everything the descriptor is built from. */
export interface DescriptorInput {
  definition: VirtualSystemDefinition;
  disks: PackageDiskPlan[];
  media: PackageMediaPlan[];
  /** Drives written without their image, with why (others without a package file get a general note). */
  emptied: readonly { instanceId: string; reason: string }[];
  deployed?: DeployedPackage | undefined;
}

/** How the descriptor is written. */
export interface DescriptorOptions {
  ovfVersion: '1.0' | '2.0';
  target: ExportTarget;
  /** Keep NIC MAC addresses (by default they are left out, as ovftool does, so copies get new ones). */
  keepMacs?: boolean | undefined;
}

/** VSSD properties of the DMTF CIM_VirtualSystemSettingData XSD that a System element may carry. */
const VSSD_PROPERTIES = new Set([
  'AutomaticRecoveryAction',
  'AutomaticShutdownAction',
  'AutomaticStartupAction',
  'AutomaticStartupActionDelay',
  'AutomaticStartupActionSequenceNumber',
  'Caption',
  'ConfigurationID',
  'Description',
  'ElementName',
  'Notes',
]);

/** The vendor-neutral place Vessel's firmware goes: VMware's `vmw:Config firmware`, read by VMware and virt-v2v. */
function vmwConfig(ovfNs: string, key: string, value: string) {
  const el = element(VMW_NS, 'Config', 'vmw');
  el.attrs.push(
    { ns: ovfNs, local: 'required', prefix: 'ovf', value: 'false' },
    { ns: VMW_NS, local: 'key', prefix: 'vmw', value: key },
    { ns: VMW_NS, local: 'value', prefix: 'vmw', value },
  );
  return el;
}

function systemProperties(def: VirtualSystemDefinition, family: string | undefined, notes: string[]) {
  const name = def.system.ElementName ?? 'vm';
  const props: VssdProperties = {
    ElementName: name,
    InstanceID: '0',
    VirtualSystemIdentifier: name,
    VirtualSystemType: family ?? def.system.VirtualSystemType ?? 'vessel-qemu',
  };
  for (const [k, v] of Object.entries(def.system)) {
    if (v === undefined || k in props) continue;
    if (VSSD_PROPERTIES.has(k)) props[k] = v;
    else if (k !== FIRMWARE_PROPERTY && k !== 'VirtualSystemIdentifier')
      notes.push(`VSSD property ${k} has no place in an OVF System element; not exported`);
  }
  return props;
}

const EXTRAS = new Set<number>([
  ResourceType.SerialPort,
  ResourceType.ParallelPort,
  ResourceType.UsbController,
  ResourceType.GraphicsController,
]);

function toItem(r: ResourceSetting, input: DescriptorInput, o: DescriptorOptions, notes: string[]): OvfItem {
  const id = r.properties.InstanceID ?? '';
  const props: RasdProperties = {};
  for (const [k, v] of Object.entries(r.properties)) {
    if (v === undefined) continue;
    if (OVF1_RASD_PROPERTIES.has(k)) props[k] = structuredClone(v);
    else notes.push(`Resource "${id}": property ${k} has no place in an OVF Item; not exported`);
  }
  const type = resourceTypeOf(r);
  if (props.ElementName === undefined)
    props.ElementName = (type === undefined ? undefined : resourceTypeName(type)) ?? `Resource ${id}`;
  const disk = input.disks.find((d) => d.instanceId === id);
  const media = input.media.find((m) => m.instanceId === id);
  if (disk !== undefined) props.HostResource = [`ovf:/disk/${disk.diskId}`];
  else if (media !== undefined) props.HostResource = [`ovf:/file/${media.fileId}`];
  else if (props.HostResource !== undefined) {
    const why =
      input.emptied.find((e) => e.instanceId === id)?.reason ?? 'its image is not part of the package';
    notes.push(`Drive "${id}" exported empty: ${why}`);
    delete props.HostResource;
  }
  if (type === ResourceType.EthernetAdapter && props.Address !== undefined && !o.keepMacs)
    delete props.Address;
  if (type !== ResourceType.EthernetAdapter && props.Connection !== undefined) {
    // OVF reads an item's Connection as a NetworkSection name; Vessel's `vnc` on graphics is this host's setting.
    notes.push(
      `Resource "${id}": Connection ${JSON.stringify(props.Connection)} is a setting of this host; not exported`,
    );
    delete props.Connection;
  }
  const resource: ResourceSetting = { cimClass: 'CIM_ResourceAllocationSettingData', properties: props };
  const change = applyTarget(o.target, resource);
  if (change) notes.push(change.message);
  const item: OvfItem = { element: 'Item', resource, attrs: [], extra: [] };
  const optional =
    TARGET_PROFILES[o.target].optionalExtras &&
    (type === undefined || EXTRAS.has(type) || type >= 0x8000 || type === ResourceType.Other);
  if (optional) item.required = 'false';
  return item;
}

/** Inserts carried sections after the OperatingSystemSection the envelope has, replacing it when one is carried. */
function insertCarried(sections: OvfSection[], carried: CarriedSections): void {
  if (carried.sections.some((s) => s.kind === 'OperatingSystemSection')) {
    const at = sections.findIndex((s) => s.kind === 'OperatingSystemSection');
    if (at >= 0) sections.splice(at, 1);
  }
  const hw = sections.findIndex((s) => s.kind === 'VirtualHardwareSection');
  const os = carried.sections.filter((s) => s.kind === 'OperatingSystemSection');
  const rest = carried.sections.filter((s) => s.kind !== 'OperatingSystemSection');
  // DSP8023 orders nothing, but VMware products expect the OS before the hardware and the product after it.
  sections.splice(Math.max(hw, 0), 0, ...os);
  const hwNow = sections.findIndex((s) => s.kind === 'VirtualHardwareSection');
  sections.splice(hwNow + 1, 0, ...rest);
}

/**
 * Builds the descriptor of an export: the definition's RASDs as Items (InstanceIDs, order and properties kept;
 * disks as `ovf:/disk/ID`, images as `ovf:/file/ID`, MACs left out unless asked), the VSSD as System with the
 * target's hardware family, disks as streamOptimized VMDK Files, networks from the NICs' connections, EFI as
 * `vmw:Config firmware`, and what a deploy recorded (product, properties, EULA, guest OS, transport).
 * File sizes and `ovf:populatedSize` are filled in by the packer once the disks are written.
 */
export function buildExportDescriptor(
  input: DescriptorInput,
  o: DescriptorOptions,
): { env: OvfEnvelope; notes: string[] } {
  const def = input.definition;
  const notes: string[] = [];
  const profile = TARGET_PROFILES[o.target];
  const name = def.system.ElementName ?? 'vm';
  const env = createEnvelope({
    name,
    cpus: cpuCount(def) ?? 1,
    memoryBytes: memoryBytes(def) ?? 1n << 20n,
    generation: o.ovfVersion === '2.0' ? '2' : '1',
    osId: '102',
    osDescription: 'Other 64-Bit',
  });
  const system = targetSystem(env);
  const hw = hardwareOf(system)!;
  hw.system!.properties = systemProperties(def, profile.family, notes);
  hw.items = def.resources.map((r) => toItem(r, input, o, notes));
  for (const d of input.disks) env.references.push({ id: d.fileId, href: d.href, attrs: [], extra: [] });
  for (const m of input.media) {
    if (!env.references.some((f) => f.id === m.fileId))
      env.references.push({ id: m.fileId, href: m.href, attrs: [], extra: [] });
  }
  if (input.disks.length > 0) {
    env.sections.push({
      kind: 'DiskSection',
      info: { text: 'Virtual disk information' },
      disks: input.disks.map((d) => ({
        diskId: d.diskId,
        capacity: String(d.capacityBytes),
        capacityAllocationUnits: 'byte',
        fileRef: d.fileId,
        format: STREAM_VMDK_FORMAT,
        attrs: [],
        extra: [],
      })),
      attrs: [],
      extra: [],
    });
  }
  for (const it of hw.items) {
    if (resourceTypeOf(it.resource) !== ResourceType.EthernetAdapter) continue;
    for (const c of it.resource.properties.Connection ?? []) addNetwork(env, c, `The network "${c}"`);
  }
  const firmware = def.system[FIRMWARE_PROPERTY];
  if (typeof firmware === 'string' && firmware !== '') {
    env.nsDecls.push(['vmw', VMW_NS]);
    hw.extra.push(vmwConfig(env.namespace, 'firmware', firmware.toLowerCase() === 'efi' ? 'efi' : 'bios'));
  }
  if (o.target === 'vmware') {
    const os = system.sections.find((s) => s.kind === 'OperatingSystemSection');
    if (os?.kind === 'OperatingSystemSection') {
      if (!env.nsDecls.some(([, u]) => u === VMW_NS)) env.nsDecls.push(['vmw', VMW_NS]);
      os.attrs.push({ ns: VMW_NS, local: 'osType', prefix: 'vmw', value: 'otherGuest64' });
    }
  }
  if (input.deployed !== undefined) {
    const carried = carriedSections(input.deployed, name);
    insertCarried(system.sections, carried);
    if (carried.transport !== undefined && carried.transport.trim() !== '') hw.transport = carried.transport;
    notes.push(...carried.notes);
  } else if (typeof def.system.Description === 'string' && def.system.Description !== '') {
    setAnnotation(system, def.system.Description);
  }
  return { env, notes };
}
