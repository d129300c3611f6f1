import { ResourceType } from '../model/index.js';
import { envelopeSection, ext, freeId, hardware, itemsForEdit, itemsOfType, newItem } from './edit-core.js';
import { OvfError } from './errors.js';
import { findSection, hardwareOf, virtualSystems } from './select.js';
import type {
  OvfConfiguration,
  OvfContent,
  OvfDiskSection,
  OvfEnvelope,
  OvfItem,
  OvfNetworkSection,
  OvfVirtualHardwareSection,
} from './types.js';

/** Sets the virtual CPU count, in every Processor item that applies to the configuration (or a new one). */
export function setCpus(system: OvfContent, cpus: number, configuration?: string, env?: OvfEnvelope): void {
  if (!Number.isInteger(cpus) || cpus < 1 || cpus > 1024)
    throw new OvfError('OVF_EDIT', `CPU count ${cpus} must be a whole number from 1 to 1024`);
  const hw = hardware(system);
  const items = itemsForEdit(env, hw, ResourceType.Processor, configuration);
  if (items.length === 0) {
    newItem(
      hw,
      {
        ElementName: `${cpus} virtual CPU(s)`,
        ResourceType: '3',
        VirtualQuantity: String(cpus),
        AllocationUnits: 'hertz * 10^6',
      },
      configuration,
    );
    return;
  }
  for (const i of items) {
    i.resource.properties.VirtualQuantity = String(cpus);
    if (i.resource.properties.ElementName?.match(/virtual CPU/))
      i.resource.properties.ElementName = `${cpus} virtual CPU(s)`;
  }
}

/** Sets the memory exactly, in MiB units when whole, else in bytes. */
export function setMemory(
  system: OvfContent,
  bytes: bigint,
  configuration?: string,
  env?: OvfEnvelope,
): void {
  if (bytes < 1n << 20n || bytes > 1n << 50n)
    throw new OvfError('OVF_EDIT', `Memory ${bytes} bytes must be from 1 MiB to 1 PiB`);
  const hw = hardware(system);
  const mib = bytes % (1n << 20n) === 0n;
  const props = {
    VirtualQuantity: String(mib ? bytes >> 20n : bytes),
    AllocationUnits: mib ? 'byte * 2^20' : 'byte',
  };
  const items = itemsForEdit(env, hw, ResourceType.Memory, configuration);
  const name = mib ? `${bytes >> 20n}MB of memory` : `${bytes} bytes of memory`;
  if (items.length === 0) {
    newItem(hw, { ElementName: name, ResourceType: '4', ...props }, configuration);
    return;
  }
  for (const i of items) {
    Object.assign(i.resource.properties, props);
    // VirtualQuantityUnits, when an (OVF 2.x) item has it, governs VirtualQuantity: keep it in step.
    if (i.resource.properties.VirtualQuantityUnits !== undefined)
      i.resource.properties.VirtualQuantityUnits = props.AllocationUnits;
    if (i.resource.properties.ElementName?.match(/of memory$/)) i.resource.properties.ElementName = name;
  }
}

/** Adds a logical network to NetworkSection (no-op when it exists). */
export function addNetwork(env: OvfEnvelope, name: string, description?: string): void {
  const ns = envelopeSection<OvfNetworkSection>(env, 'NetworkSection', () => ({
    kind: 'NetworkSection',
    info: { text: 'The list of logical networks' },
    networks: [],
    ...ext(),
  }));
  const existing = ns.networks.find((n) => n.name === name);
  if (existing) {
    if (description !== undefined) existing.description = { text: description };
    return;
  }
  ns.networks.push({ name, description: { text: description ?? `The ${name} network` }, ...ext() });
}

/** Adds a NIC connected to `network` (added to NetworkSection when missing), of the given model. */
export function addNic(
  env: OvfEnvelope,
  system: OvfContent,
  network: string,
  model = 'E1000',
  configuration?: string,
): OvfItem {
  addNetwork(env, network);
  const hw = hardware(system);
  const n = itemsOfType(hw, ResourceType.EthernetAdapter).length + 1;
  return newItem(
    hw,
    {
      ElementName: `Ethernet ${n}`,
      ResourceType: '10',
      ResourceSubType: model,
      Connection: [network],
      AutomaticAllocation: 'true',
    },
    configuration,
  );
}

/** Connects every NIC (or the n-th, 1-based) to a network. */
export function setNicNetwork(env: OvfEnvelope, system: OvfContent, network: string, index?: number): void {
  addNetwork(env, network);
  const nics = itemsOfType(hardware(system), ResourceType.EthernetAdapter);
  const targets = index === undefined ? nics : [nics[index - 1]].filter((x): x is OvfItem => x !== undefined);
  if (targets.length === 0)
    throw new OvfError(
      'OVF_EDIT',
      index === undefined ? 'The system has no NIC' : `The system has no NIC number ${index}`,
    );
  for (const t of targets) t.resource.properties.Connection = [network];
}

/** A disk to add: a file in References (when `href` is given) and a Disk, attached to a controller. */
export interface DiskFields {
  diskId?: string;
  href?: string;
  fileSize?: bigint;
  capacityBytes: bigint;
  format?: string;
  /** Controller InstanceID; default: the first SCSI, else IDE, else SATA controller (one is created when none). */
  controller?: string;
}

/** Adds a disk: File, DiskSection/Disk and a Disk Drive item (DSP0243 §9.1, §9.5). Returns the disk id. */
export function addDisk(env: OvfEnvelope, system: OvfContent, d: DiskFields): string {
  if (d.capacityBytes <= 0n) throw new OvfError('OVF_EDIT', 'The disk capacity must be more than 0 bytes');
  const ds = envelopeSection<OvfDiskSection>(env, 'DiskSection', () => ({
    kind: 'DiskSection',
    info: { text: 'Virtual disk information' },
    disks: [],
    ...ext(),
  }));
  const diskId =
    d.diskId ??
    freeId(
      ds.disks.map((x) => x.diskId),
      'vmdisk',
    );
  if (ds.disks.some((x) => x.diskId === diskId))
    throw new OvfError('OVF_EDIT', `A disk with id "${diskId}" exists already`);
  let fileRef: string | undefined;
  if (d.href !== undefined) {
    if (env.references.some((f) => f.href === d.href))
      throw new OvfError('OVF_EDIT', `File "${d.href}" is already in References`);
    fileRef = freeId(
      env.references.map((f) => f.id),
      'file',
    );
    env.references.push({ id: fileRef, href: d.href, size: d.fileSize?.toString(), ...ext() });
  }
  const gib = d.capacityBytes % (1n << 30n) === 0n;
  ds.disks.push({
    diskId,
    capacity: String(gib ? d.capacityBytes >> 30n : d.capacityBytes),
    capacityAllocationUnits: gib ? 'byte * 2^30' : 'byte',
    fileRef,
    format: d.format ?? 'http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized',
    ...ext(),
  });
  const hw = hardware(system);
  const controller = d.controller ?? defaultController(hw);
  const onController = hw.items.filter((i) => i.resource.properties.Parent === controller).length;
  newItem(hw, {
    ElementName: `Hard disk ${itemsOfType(hw, ResourceType.DiskDrive).length + 1}`,
    ResourceType: '17',
    HostResource: [`ovf:/disk/${diskId}`],
    Parent: controller,
    AddressOnParent: String(onController),
  });
  return diskId;
}

function defaultController(hw: OvfVirtualHardwareSection): string {
  for (const t of [
    ResourceType.ParallelScsiHba,
    ResourceType.IdeController,
    ResourceType.OtherStorageDevice,
  ]) {
    const c = itemsOfType(hw, t)[0];
    if (c?.resource.properties.InstanceID) return c.resource.properties.InstanceID;
  }
  const made = newItem(hw, {
    ElementName: 'SCSI Controller 0',
    ResourceType: '6',
    ResourceSubType: 'lsilogic',
    Address: '0',
  });
  return made.resource.properties.InstanceID!;
}

/** Removes a disk, its Disk Drive item and its File (when no other disk uses it). */
export function removeDisk(env: OvfEnvelope, diskId: string): void {
  const ds = findSection(env.sections, 'DiskSection');
  const disk = ds?.disks.find((d) => d.diskId === diskId);
  if (!ds || !disk) throw new OvfError('OVF_EDIT', `No disk has the id "${diskId}"`);
  ds.disks = ds.disks.filter((d) => d !== disk);
  const refs = new Set([`ovf:/disk/${diskId}`, `/disk/${diskId}`]);
  for (const s of virtualSystems(env)) {
    const hw = hardwareOf(s);
    if (hw)
      hw.items = hw.items.filter((i) => !(i.resource.properties.HostResource ?? []).some((h) => refs.has(h)));
  }
  if (disk.fileRef && !ds.disks.some((d) => d.fileRef === disk.fileRef)) {
    env.references = env.references.filter((f) => f.id !== disk.fileRef);
  }
}

/** Adds a deployment option (DSP0243 §9.8), or changes its label/description/default. */
export function setConfiguration(
  env: OvfEnvelope,
  id: string,
  fields: { label?: string; description?: string; default?: boolean },
): void {
  const dos = envelopeSection(env, 'DeploymentOptionSection', () => ({
    kind: 'DeploymentOptionSection' as const,
    info: { text: 'Deployment options' },
    configurations: [] as OvfConfiguration[],
    ...ext(),
  }));
  let c = dos.configurations.find((x) => x.id === id);
  if (!c) {
    c = {
      id,
      label: { text: fields.label ?? id },
      description: { text: fields.description ?? fields.label ?? id },
      ...ext(),
    };
    dos.configurations.push(c);
  }
  if (fields.label !== undefined) c.label = { text: fields.label };
  if (fields.description !== undefined) c.description = { text: fields.description };
  if (fields.default) for (const x of dos.configurations) x.default = x === c ? 'true' : undefined;
}

/** Removes a deployment option and the items that applied only to it. */
export function removeConfiguration(env: OvfEnvelope, id: string): void {
  const dos = findSection(env.sections, 'DeploymentOptionSection');
  if (!dos?.configurations.some((c) => c.id === id))
    throw new OvfError('OVF_EDIT', `No deployment option has the id "${id}"`);
  dos.configurations = dos.configurations.filter((c) => c.id !== id);
  if (dos.configurations.length === 0) env.sections = env.sections.filter((s) => s !== dos);
  for (const s of virtualSystems(env)) {
    const hw = hardwareOf(s);
    if (!hw) continue;
    hw.items = hw.items.filter((i) => {
      if (i.configuration === undefined) return true;
      const rest = i.configuration.split(/\s+/).filter((x) => x !== '' && x !== id);
      if (rest.length === 0) return false;
      i.configuration = rest.join(' ');
      return true;
    });
  }
}
