import {
  type Bus,
  CONTROLLERS,
  type ControllerKind,
  type DriveDevice,
  type NicModel,
  parseUint,
  quantityBytes,
  ResourceType,
  readDevices,
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
  itemsFor,
  virtualSystems,
} from './select.js';
import type { OvfContent, OvfEnvelope, OvfItem } from './types.js';

/** A summary of a package, as `vessel ovf info` prints it (the shape of its `--json`). */
export interface OvfInfo {
  ovfVersion: string;
  files: Array<{
    id: string;
    href: string;
    /** ovf:size in bytes, when given. */
    sizeBytes?: number | undefined;
    compression?: string | undefined;
    /** ovf:chunkSize in bytes, when the file is chunked. */
    chunkSizeBytes?: number | undefined;
  }>;
  disks: Array<{
    diskId: string;
    /** The capacity in bytes; undefined when it cannot be computed (a `${property}` reference). */
    capacityBytes?: number | undefined;
    /** ovf:capacity as written (a number in ovf:capacityAllocationUnits, or a `${property}` reference). */
    capacityText: string;
    fileRef?: string | undefined;
    format?: string | undefined;
  }>;
  networks: Array<{ name: string; description?: string | undefined }>;
  configurations: Array<{ id: string; label: string; description?: string | undefined; default: boolean }>;
  systems: OvfSystemInfo[];
}

/** One VirtualSystem in an {@link OvfInfo}. */
export interface OvfSystemInfo {
  id: string;
  name?: string | undefined;
  virtualSystemType?: string | undefined;
  osId?: string | undefined;
  osDescription?: string | undefined;
  /** OVF environment transports the hardware asks for (`ovf:transport`, DSP0243 §11.1): `iso`, `com.vmware.guestInfo`. */
  transports: string[];
  products: Array<{
    product?: string | undefined;
    vendor?: string | undefined;
    version?: string | undefined;
    fullVersion?: string | undefined;
    productUrl?: string | undefined;
    vendorUrl?: string | undefined;
    appUrl?: string | undefined;
    class?: string | undefined;
  }>;
  properties: Array<{
    key: string;
    type: string;
    value?: string | undefined;
    label?: string | undefined;
    description?: string | undefined;
    userConfigurable: boolean;
    qualifiers?: string | undefined;
    password: boolean;
  }>;
  eula: boolean;
  /** The license texts of the EulaSections (DSP0243 §9.6), in order. */
  eulas: string[];
  annotation?: string | undefined;
  /**
   * The hardware under each deployment configuration, in DeploymentOptionSection order; one entry without
   * `configuration` when the package has no DeploymentOptionSection. `default` marks the one a deploy uses.
   */
  hardware: OvfConfigurationHardware[];
}

/** A drive in an {@link OvfHardwareInfo}: where it sits, as `SCSI 0:1` (bus, controller number, slot). */
export interface OvfDriveInfo {
  instanceId: string;
  name?: string | undefined;
  /** RASD Description. */
  description?: string | undefined;
  hostResource?: string | undefined;
  /** The InstanceID its Parent names. */
  controller?: string | undefined;
  /** `IDE 1:0`, `SATA 0:2`, `SCSI 0:0`, `NVMe 0:0`, `virtio 0:1`; `?` where a number is not given. */
  address?: string | undefined;
}

/** The hardware of a system under one configuration, named with the model's device vocabulary. */
export interface OvfHardwareInfo {
  cpus?: number | undefined;
  memoryBytes?: number | undefined;
  nics: Array<{
    instanceId: string;
    name?: string | undefined;
    /** RASD Description. */
    description?: string | undefined;
    /** The adapter model the subtype names (`vmxnet3`, `e1000`...), undefined when it names none. */
    model?: NicModel | undefined;
    /** ResourceSubType as written. */
    subtype?: string | undefined;
    network?: string | undefined;
    /** The MAC address (RASD Address), when one is given. */
    mac?: string | undefined;
  }>;
  disks: OvfDriveInfo[];
  /** CD/DVD and floppy drives. */
  media: Array<OvfDriveInfo & { kind: 'cdrom' | 'floppy' }>;
  controllers: Array<{
    /** The DMTF ResourceType name. */
    type: string;
    /** What the controller is (`lsilogic`, `ahci`, `virtio-scsi`...), and its name for people. */
    kind: ControllerKind;
    model: string;
    subtype?: string | undefined;
    instanceId: string;
  }>;
  /** Other devices; a serial port's connection (RASD Address: `telnet://host:port`, a file) when one is given. */
  other: Array<{ type: string; name?: string | undefined; connection?: string | undefined }>;
}

/** The hardware of a system under one deployment configuration (or the only hardware there is). */
export interface OvfConfigurationHardware extends OvfHardwareInfo {
  /** The DeploymentOption id; absent when the package has no DeploymentOptionSection. */
  configuration?: string | undefined;
  /** Whether this is the configuration a deploy uses when none is chosen. */
  default: boolean;
}

/**
 * A system's hardware under `configuration` (the default one when undefined).
 *
 * @example
 * hardwareFor(ovfInfo(env).systems[0]!)?.cpus;
 */
export function hardwareFor(s: OvfSystemInfo, configuration?: string): OvfConfigurationHardware | undefined {
  return s.hardware.find((h) =>
    configuration === undefined ? h.default : h.configuration === configuration,
  );
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
      sizeBytes: num(parseUint(f.size)),
      compression: f.compression,
      chunkSizeBytes: num(parseUint(f.chunkSize)),
    })),
    disks: disks.map((d) => ({
      diskId: d.diskId,
      capacityText: d.capacity,
      capacityBytes: capacityBytes(d.capacity, d.capacityAllocationUnits),
      fileRef: d.fileRef,
      format: d.format,
    })),
    networks: nets.map((n) => ({ name: n.name, description: n.description?.text })),
    configurations: (dos?.configurations ?? []).map((c) => ({
      id: c.id,
      label: c.label.text,
      description: c.description?.text,
      default: c.id === def,
    })),
    systems: virtualSystems(env).map((s) => systemInfo(s, dos?.configurations.map((c) => c.id) ?? [], def)),
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

function systemInfo(s: OvfContent, configs: string[], def: string | undefined): OvfSystemInfo {
  const hw = hardwareOf(s);
  const os = findSection(s.sections, 'OperatingSystemSection');
  const products = findSections(s.sections, 'ProductSection');
  const hardware: OvfConfigurationHardware[] = configs.length
    ? configs.map((c) => ({ configuration: c, default: c === def, ...hardwareInfo(hw?.items ?? [], c) }))
    : [{ default: true, ...hardwareInfo(hw?.items ?? [], undefined) }];
  return {
    id: s.id,
    name: s.name?.text,
    virtualSystemType: hw?.system?.properties.VirtualSystemType,
    osId: os?.id,
    osDescription: os?.description?.text,
    transports: (hw?.transport ?? '').split(/[\s,]+/).filter((t) => t !== ''),
    products: products.map((p) => ({
      product: p.product?.text,
      vendor: p.vendor?.text,
      version: p.version?.text,
      fullVersion: p.fullVersion?.text,
      productUrl: p.productUrl?.text,
      vendorUrl: p.vendorUrl?.text,
      appUrl: p.appUrl?.text,
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
                description: e.description?.text,
                userConfigurable: e.userConfigurable === 'true',
                qualifiers: e.qualifiers,
                password: e.password === 'true',
              },
            ]
          : [],
      ),
    ),
    eula: findSections(s.sections, 'EulaSection').length > 0,
    eulas: findSections(s.sections, 'EulaSection').map((e) => e.license.text),
    annotation: findSection(s.sections, 'AnnotationSection')?.annotation.text,
    hardware,
  };
}

/** Bus names in device addresses, as VMware and COT show them. */
const BUS_NAMES: Record<Bus, string> = {
  ide: 'IDE',
  sata: 'SATA',
  scsi: 'SCSI',
  nvme: 'NVMe',
  virtio: 'virtio',
  usb: 'USB',
  floppy: 'floppy',
};

/** A drive's address: bus, controller number (its RASD Address, else its order on the bus), slot. */
function addressOf(d: DriveDevice): string | undefined {
  const c = d.controller;
  if (c === undefined) return undefined;
  const spec = CONTROLLERS[c.kind];
  const number = spec.address === 'none' ? c.ordinal : (c.address ?? c.ordinal);
  return `${BUS_NAMES[spec.bus]} ${number}:${d.slot ?? '?'}`;
}

function driveInfo(d: DriveDevice): OvfDriveInfo {
  const p = d.resource.properties;
  return {
    instanceId: d.instanceId,
    name: p.ElementName ?? p.Caption,
    description: p.Description,
    hostResource: d.hostResource,
    controller: d.parentText,
    address: addressOf(d),
  };
}

/**
 * The hardware summary of items under one configuration (per-option items replace general ones with the same
 * InstanceID; ranges at `normal`), read through the model's device view: NIC models and controller kinds by
 * name, drives with their addresses (`SCSI 0:0`).
 */
export function hardwareInfo(items: OvfItem[], configuration: string | undefined): OvfHardwareInfo {
  const resources = itemsFor(items, configuration).map((i) => i.resource);
  const view = readDevices({ system: {}, resources });
  const out: OvfHardwareInfo = { nics: [], disks: [], media: [], controllers: [], other: [] };
  for (const r of resources) {
    const rt = resourceTypeOf(r);
    if (rt === ResourceType.Processor) out.cpus = num(parseUint(r.properties.VirtualQuantity));
    if (rt === ResourceType.Memory) {
      try {
        out.memoryBytes = Number(quantityBytes(r));
      } catch {
        /* left out: validation reports it */
      }
    }
  }
  const typeName = (rt: number | undefined, raw: string | undefined) =>
    rt === undefined ? String(raw) : (resourceTypeName(rt) ?? String(rt));
  for (const c of view.controllers)
    out.controllers.push({
      type: typeName(c.resourceType, c.resource.properties.ResourceType),
      kind: c.kind,
      model: CONTROLLERS[c.kind].name,
      subtype: c.subType,
      instanceId: c.instanceId,
    });
  for (const d of view.drives) {
    if (d.kind === 'disk') out.disks.push(driveInfo(d));
    else out.media.push({ ...driveInfo(d), kind: d.kind });
  }
  for (const n of view.nics)
    out.nics.push({
      instanceId: n.instanceId,
      name: n.resource.properties.ElementName ?? n.resource.properties.Caption,
      description: n.resource.properties.Description,
      model: n.model,
      subtype: n.subType,
      network: n.network,
      mac: n.mac ?? n.macText,
    });
  for (const d of [...view.serials, ...view.graphics, ...view.sound, ...view.others])
    out.other.push({
      type: typeName(d.resourceType, d.resource.properties.ResourceType),
      name: d.resource.properties.ElementName ?? d.resource.properties.Caption,
      connection: d.resourceType === ResourceType.SerialPort ? d.resource.properties.Address : undefined,
    });
  return out;
}

/** Every content's id, for callers that address systems by id. */
export function contentIds(env: OvfEnvelope): string[] {
  return allContents(env).map((c) => c.id);
}
