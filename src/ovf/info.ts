import {
  parseUint,
  quantityBytes,
  ResourceType,
  resourceTypeName,
  resourceTypeOf,
  toBaseUnits,
} from '../model/index.js';
import {
  allContents,
  defaultConfiguration,
  findSection,
  findSections,
  hardwareOf,
  itemApplies,
  virtualSystems,
} from './select.js';
import type { OvfContent, OvfEnvelope, OvfItem } from './types.js';

/** A summary of a package, as `vessel ovf info` prints it (the shape of its `--json`). */
export interface OvfInfo {
  ovfVersion: string;
  files: Array<{
    id: string;
    href: string;
    size?: number | undefined;
    compression?: string | undefined;
    chunkSize?: number | undefined;
  }>;
  disks: Array<{
    diskId: string;
    capacityBytes?: number | undefined;
    capacity: string;
    fileRef?: string | undefined;
    format?: string | undefined;
  }>;
  networks: Array<{ name: string; description?: string | undefined }>;
  configurations: Array<{ id: string; label: string; default: boolean }>;
  systems: OvfSystemInfo[];
}

/** One VirtualSystem in an {@link OvfInfo}. */
export interface OvfSystemInfo {
  id: string;
  name?: string | undefined;
  virtualSystemType?: string | undefined;
  osId?: string | undefined;
  osDescription?: string | undefined;
  products: Array<{
    product?: string | undefined;
    vendor?: string | undefined;
    version?: string | undefined;
    class?: string | undefined;
  }>;
  properties: Array<{
    key: string;
    type: string;
    value?: string | undefined;
    label?: string | undefined;
    userConfigurable: boolean;
    qualifiers?: string | undefined;
    password: boolean;
  }>;
  eula: boolean;
  annotation?: string | undefined;
  /** Hardware per deployment configuration ('' when the package has no DeploymentOptionSection). */
  hardware: Record<string, OvfHardwareInfo>;
}

/** The hardware of a system under one configuration. */
export interface OvfHardwareInfo {
  cpus?: number | undefined;
  memoryBytes?: number | undefined;
  nics: Array<{ name?: string | undefined; model?: string | undefined; network?: string | undefined }>;
  disks: Array<{
    name?: string | undefined;
    hostResource?: string | undefined;
    controller?: string | undefined;
  }>;
  controllers: Array<{ type: string; subtype?: string | undefined; instanceId?: string | undefined }>;
  other: Array<{ type: string; name?: string | undefined }>;
}

const num = (v: bigint | undefined) => (v === undefined ? undefined : Number(v));

/**
 * Summarises an envelope: systems, hardware per configuration, disks, networks, properties, files and sizes.
 * Never throws: values it cannot read are left out.
 */
export function ovfInfo(env: OvfEnvelope): OvfInfo {
  const disks = findSection(env.sections, 'DiskSection')?.disks ?? [];
  const nets = findSection(env.sections, 'NetworkSection')?.networks ?? [];
  const dos = findSection(env.sections, 'DeploymentOptionSection');
  const def = defaultConfiguration(env);
  return {
    ovfVersion: env.generation === '0.9' ? '0.9' : (env.version ?? (env.generation === '2' ? '2.0' : '1.x')),
    files: env.references.map((f) => ({
      id: f.id,
      href: f.href,
      size: num(parseUint(f.size)),
      compression: f.compression,
      chunkSize: num(parseUint(f.chunkSize)),
    })),
    disks: disks.map((d) => ({
      diskId: d.diskId,
      capacity: d.capacity,
      capacityBytes: capacityBytes(d.capacity, d.capacityAllocationUnits),
      fileRef: d.fileRef,
      format: d.format,
    })),
    networks: nets.map((n) => ({ name: n.name, description: n.description?.text })),
    configurations: (dos?.configurations ?? []).map((c) => ({
      id: c.id,
      label: c.label.text,
      default: c.id === def,
    })),
    systems: virtualSystems(env).map((s) => systemInfo(s, dos?.configurations.map((c) => c.id) ?? [])),
  };
}

function capacityBytes(capacity: string, units: string | undefined): number | undefined {
  const v = parseUint(capacity);
  if (v === undefined) return undefined;
  try {
    return Number(toBaseUnits(v, units ?? 'byte', 'byte'));
  } catch {
    return undefined;
  }
}

function systemInfo(s: OvfContent, configs: string[]): OvfSystemInfo {
  const hw = hardwareOf(s);
  const os = findSection(s.sections, 'OperatingSystemSection');
  const products = findSections(s.sections, 'ProductSection');
  const hardware: Record<string, OvfHardwareInfo> = {};
  for (const c of configs.length ? configs : [''])
    hardware[c] = hardwareInfo(hw?.items ?? [], c === '' ? undefined : c);
  return {
    id: s.id,
    name: s.name?.text,
    virtualSystemType: hw?.system?.properties.VirtualSystemType,
    osId: os?.id,
    osDescription: os?.description?.text,
    products: products.map((p) => ({
      product: p.product?.text,
      vendor: p.vendor?.text,
      version: p.version?.text,
      class: p.class,
    })),
    properties: products.flatMap((p) =>
      p.entries.flatMap((e) =>
        e.entry === 'Property'
          ? [
              {
                key: p.class ? `${p.class}.${e.key}${p.instance ? `.${p.instance}` : ''}` : e.key,
                type: e.type,
                value: e.value,
                label: e.label?.text,
                userConfigurable: e.userConfigurable === 'true',
                qualifiers: e.qualifiers,
                password: e.password === 'true',
              },
            ]
          : [],
      ),
    ),
    eula: findSections(s.sections, 'EulaSection').length > 0,
    annotation: findSection(s.sections, 'AnnotationSection')?.annotation.text,
    hardware,
  };
}

/** The hardware summary of items under one configuration (the `normal` bound of ranged items). */
export function hardwareInfo(items: OvfItem[], configuration: string | undefined): OvfHardwareInfo {
  const out: OvfHardwareInfo = { nics: [], disks: [], controllers: [], other: [] };
  for (const item of items) {
    if (!itemApplies(item, configuration)) continue;
    if (item.bound === 'min' || item.bound === 'max') continue;
    const p = item.resource.properties;
    const rt = resourceTypeOf(item.resource);
    switch (rt) {
      case ResourceType.Processor:
        out.cpus = num(parseUint(p.VirtualQuantity));
        break;
      case ResourceType.Memory:
        try {
          out.memoryBytes = Number(quantityBytes(item.resource));
        } catch {
          /* left out: validation reports it */
        }
        break;
      case ResourceType.EthernetAdapter:
      case ResourceType.OtherNetworkAdapter:
        out.nics.push({
          name: p.ElementName ?? p.Caption,
          model: p.ResourceSubType,
          network: p.Connection?.[0],
        });
        break;
      case ResourceType.DiskDrive:
      case ResourceType.LogicalDisk:
      case ResourceType.StorageExtent:
        out.disks.push({
          name: p.ElementName ?? p.Caption,
          hostResource: p.HostResource?.[0],
          controller: p.Parent,
        });
        break;
      case ResourceType.IdeController:
      case ResourceType.ParallelScsiHba:
      case ResourceType.OtherStorageDevice:
      case ResourceType.UsbController:
        out.controllers.push({
          type: resourceTypeName(rt) ?? String(rt),
          subtype: p.ResourceSubType,
          instanceId: p.InstanceID,
        });
        break;
      default:
        out.other.push({
          type: rt === undefined ? String(p.ResourceType) : (resourceTypeName(rt) ?? String(rt)),
          name: p.ElementName ?? p.Caption,
        });
    }
  }
  return out;
}

/** Every content's id, for callers that address systems by id. */
export function contentIds(env: OvfEnvelope): string[] {
  return allContents(env).map((c) => c.id);
}
