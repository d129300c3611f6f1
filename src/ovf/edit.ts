import { type RasdProperties, ResourceType, resourceTypeOf } from '../model/index.js';
import { OvfError } from './errors.js';
import { findSection, hardwareOf, itemApplies, virtualSystems } from './select.js';
import type {
  OvfConfiguration,
  OvfContent,
  OvfDiskSection,
  OvfEnvelope,
  OvfItem,
  OvfNetworkSection,
  OvfProductSection,
  OvfProperty,
  OvfSection,
  OvfVirtualHardwareSection,
} from './types.js';

/**
 * Editing operations on an envelope, like COT's edit-* commands: each changes only what it names and keeps the
 * rest of the descriptor (unknown sections, vendor attributes, order) intact. They mutate the envelope in place
 * and throw {@link OvfError} `OVF_EDIT` when the edit cannot be made.
 */

const ext = () => ({ attrs: [], extra: [] });

/** The VirtualSystem to edit: the one with `id`, else the only/first one. */
export function targetSystem(env: OvfEnvelope, id?: string): OvfContent {
  const systems = virtualSystems(env);
  const s = id === undefined ? systems[0] : systems.find((x) => x.id === id);
  if (!s) {
    throw new OvfError(
      'OVF_EDIT',
      id === undefined ? 'The descriptor has no VirtualSystem' : `No VirtualSystem has ovf:id "${id}"`,
      {
        hint: systems.length ? `Systems: ${systems.map((x) => x.id).join(', ')}` : undefined,
      },
    );
  }
  return s;
}

function hardware(system: OvfContent): OvfVirtualHardwareSection {
  const hw = hardwareOf(system);
  if (hw) return hw;
  const created: OvfVirtualHardwareSection = {
    kind: 'VirtualHardwareSection',
    info: { text: 'Virtual hardware requirements' },
    items: [],
    ...ext(),
  };
  system.sections.push(created);
  return created;
}

/** Inserts a package-level section before the content, in DSP0243's usual order (Disk, Network, DeploymentOption). */
function envelopeSection<S extends OvfSection>(env: OvfEnvelope, kind: S['kind'], make: () => S): S {
  const found = env.sections.find((s) => s.kind === kind) as S | undefined;
  if (found) return found;
  const made = make();
  const order = ['DiskSection', 'NetworkSection', 'DeploymentOptionSection'];
  const rank = order.indexOf(kind);
  const at = env.sections.findIndex((s) => order.indexOf(s.kind) > rank || s.kind === 'Unknown');
  if (at < 0) env.sections.push(made);
  else env.sections.splice(at, 0, made);
  return made;
}

/** Fields of ProductSection that {@link setProduct} changes; `undefined` leaves a field alone, '' removes it. */
export interface ProductFields {
  product?: string;
  vendor?: string;
  version?: string;
  fullVersion?: string;
  productUrl?: string;
  vendorUrl?: string;
  appUrl?: string;
}

/** The ProductSection of a system for a class/instance, created when absent. */
export function productSection(
  system: OvfContent,
  productClass?: string,
  instance?: string,
): OvfProductSection {
  const found = system.sections.find(
    (s): s is OvfProductSection =>
      s.kind === 'ProductSection' && s.class === productClass && s.instance === instance,
  );
  if (found) return found;
  const made: OvfProductSection = {
    kind: 'ProductSection',
    info: { text: 'Information about the installed software' },
    class: productClass,
    instance,
    icons: [],
    entries: [],
    ...ext(),
  };
  const hwAt = system.sections.findIndex((s) => s.kind === 'VirtualHardwareSection');
  system.sections.splice(hwAt < 0 ? system.sections.length : hwAt + 1, 0, made);
  return made;
}

/** Sets product information (DSP0243 §9.5). */
export function setProduct(system: OvfContent, fields: ProductFields, productClass?: string): void {
  const first = productClass === undefined ? findSection(system.sections, 'ProductSection') : undefined;
  const ps = first ?? productSection(system, productClass);
  for (const [k, v] of Object.entries(fields) as Array<[keyof ProductFields, string | undefined]>) {
    if (v === undefined) continue;
    ps[k] = v === '' ? undefined : { text: v };
  }
}

/** A property to add or change; `undefined` fields keep their current value. */
export interface PropertyFields {
  type?: string;
  value?: string;
  qualifiers?: string;
  userConfigurable?: boolean;
  password?: boolean;
  label?: string;
  description?: string;
}

/** Adds a property, or changes the one with that key (DSP0243 §9.5.1). A new property needs a type. */
export function setProperty(
  system: OvfContent,
  key: string,
  fields: PropertyFields,
  productClass?: string,
): OvfProperty {
  if (!/^[A-Za-z0-9_.\-:]+$/.test(key))
    throw new OvfError('OVF_EDIT', `"${key}" is not a valid property key (letters, digits, _ . - :)`);
  let p = findProperty(system, key);
  if (!p) {
    const ps = productSection(system, productClass);
    if (!fields.type)
      throw new OvfError('OVF_EDIT', `Property "${key}" does not exist; give its type to add it`, {
        hint: 'e.g. --type string',
      });
    p = { entry: 'Property', key, type: fields.type, values: [], ...ext() };
    ps.entries.push(p);
  }
  if (fields.type !== undefined) p.type = fields.type;
  if (fields.value !== undefined) p.value = fields.value;
  if (fields.qualifiers !== undefined)
    p.qualifiers = fields.qualifiers === '' ? undefined : fields.qualifiers;
  if (fields.userConfigurable !== undefined) p.userConfigurable = String(fields.userConfigurable);
  if (fields.password !== undefined) p.password = fields.password ? 'true' : undefined;
  if (fields.label !== undefined) p.label = { text: fields.label };
  if (fields.description !== undefined) p.description = { text: fields.description };
  return p;
}

/**
 * The property with that key in any ProductSection of the system; `class.key` (DSP0243 §9.5.1, how properties of a
 * classed ProductSection are named in the OVF environment) is accepted too.
 */
export function findProperty(system: OvfContent, key: string): OvfProperty | undefined {
  for (const s of system.sections) {
    if (s.kind !== 'ProductSection') continue;
    for (const e of s.entries) {
      if (e.entry !== 'Property') continue;
      const full = s.class ? `${s.class}.${e.key}${s.instance ? `.${s.instance}` : ''}` : e.key;
      if (e.key === key || full === key) return e;
    }
  }
  return undefined;
}

/** Removes a property by key from every ProductSection of the system. */
export function removeProperty(system: OvfContent, key: string): void {
  let removed = false;
  for (const s of system.sections) {
    if (s.kind !== 'ProductSection') continue;
    const before = s.entries.length;
    s.entries = s.entries.filter((e) => !(e.entry === 'Property' && e.key === key));
    removed ||= s.entries.length !== before;
  }
  if (!removed) throw new OvfError('OVF_EDIT', `No property has the key "${key}"`);
}

function nextInstanceId(hw: OvfVirtualHardwareSection): string {
  let max = 0;
  for (const i of hw.items) {
    const n = Number(i.resource.properties.InstanceID);
    if (Number.isInteger(n) && n > max) max = n;
  }
  return String(max + 1);
}

function newItem(hw: OvfVirtualHardwareSection, props: RasdProperties, configuration?: string): OvfItem {
  const item: OvfItem = {
    element: 'Item',
    resource: {
      cimClass: 'CIM_ResourceAllocationSettingData',
      properties: { InstanceID: nextInstanceId(hw), ...props },
    },
    ...ext(),
  };
  if (configuration !== undefined) item.configuration = configuration;
  hw.items.push(item);
  return item;
}

/** Items of a ResourceType that apply to a configuration (all when none is named), ranges excluded. */
function itemsOfType(hw: OvfVirtualHardwareSection, type: number, configuration?: string): OvfItem[] {
  return hw.items.filter(
    (i) =>
      resourceTypeOf(i.resource) === type &&
      itemApplies(i, configuration) &&
      i.bound !== 'min' &&
      i.bound !== 'max',
  );
}

/**
 * The items of a type to change for one configuration. An item shared by every configuration is split (as COT
 * does): the original keeps the other configurations and a copy takes this one, so other options are unchanged.
 */
function itemsForEdit(
  env: OvfEnvelope | undefined,
  hw: OvfVirtualHardwareSection,
  type: number,
  configuration?: string,
): OvfItem[] {
  const items = itemsOfType(hw, type, configuration);
  if (configuration === undefined || env === undefined) return items;
  const all = findSection(env.sections, 'DeploymentOptionSection')?.configurations.map((c) => c.id) ?? [];
  if (!all.includes(configuration))
    throw new OvfError('OVF_EDIT', `No deployment option has the id "${configuration}"`);
  return items.map((item) => {
    if (item.configuration !== undefined) return item;
    const others = all.filter((c) => c !== configuration);
    if (others.length === 0) return item;
    const copy: OvfItem = structuredClone(item);
    copy.resource.properties.InstanceID = nextInstanceId(hw);
    copy.configuration = configuration;
    item.configuration = others.join(' ');
    hw.items.splice(hw.items.indexOf(item) + 1, 0, copy);
    return copy;
  });
}

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

/** Sets the AnnotationSection text ('' removes the section). */
export function setAnnotation(system: OvfContent, text: string): void {
  const i = system.sections.findIndex((s) => s.kind === 'AnnotationSection');
  if (text === '') {
    if (i >= 0) system.sections.splice(i, 1);
    return;
  }
  const existing = system.sections[i];
  if (existing?.kind === 'AnnotationSection') existing.annotation = { text };
  else
    system.sections.unshift({
      kind: 'AnnotationSection',
      info: { text: 'A human-readable annotation' },
      annotation: { text },
      ...ext(),
    });
}

/** Sets the license of the system's (first) EulaSection, adding one when absent ('' removes them all). */
export function setEula(system: OvfContent, license: string): void {
  if (license === '') {
    system.sections = system.sections.filter((s) => s.kind !== 'EulaSection');
    return;
  }
  const existing = findSection(system.sections, 'EulaSection');
  if (existing) existing.license = { text: license };
  else {
    const at = system.sections.findIndex((s) => s.kind === 'VirtualHardwareSection');
    system.sections.splice(at < 0 ? system.sections.length : at, 0, {
      kind: 'EulaSection',
      info: { text: 'End User License Agreement' },
      license: { text: license },
      ...ext(),
    });
  }
}

function freeId(used: string[], base: string): string {
  for (let i = 1; ; i++) if (!used.includes(`${base}${i}`)) return `${base}${i}`;
}

/** What {@link createEnvelope} needs to author a new single-VM descriptor. */
export interface NewSystem {
  name: string;
  cpus: number;
  memoryBytes: bigint;
  generation?: '1' | '2';
  osId?: string;
  osDescription?: string;
  virtualSystemType?: string;
}

/** Authors a new OVF 1.x (or 2.x) descriptor for one VirtualSystem with CPUs and memory; add disks and NICs after. */
export function createEnvelope(n: NewSystem): OvfEnvelope {
  const gen = n.generation ?? '1';
  const ns =
    gen === '2' ? 'http://schemas.dmtf.org/ovf/envelope/2' : 'http://schemas.dmtf.org/ovf/envelope/1';
  const system: OvfContent = {
    kind: 'VirtualSystem',
    id: n.name,
    info: { text: 'A virtual machine' },
    name: { text: n.name },
    sections: [
      {
        kind: 'OperatingSystemSection',
        info: { text: 'The kind of installed guest operating system' },
        id: n.osId ?? '1',
        description: { text: n.osDescription ?? 'Other' },
        ...ext(),
      },
      {
        kind: 'VirtualHardwareSection',
        info: { text: 'Virtual hardware requirements' },
        system: {
          properties: {
            ElementName: 'Virtual Hardware Family',
            InstanceID: '0',
            VirtualSystemIdentifier: n.name,
            VirtualSystemType: n.virtualSystemType ?? 'vmx-13',
          },
          ...ext(),
        },
        items: [],
        ...ext(),
      },
    ],
    children: [],
    ...ext(),
  };
  const env: OvfEnvelope = {
    generation: gen,
    version: gen === '2' ? '2.0' : '1.0',
    namespace: ns,
    references: [],
    sections: [],
    content: system,
    strings: [],
    nsDecls: [
      ['ovf', ns],
      ['rasd', 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData'],
      ['vssd', 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData'],
    ],
    ...ext(),
  };
  setCpus(system, n.cpus);
  setMemory(system, n.memoryBytes);
  return env;
}
