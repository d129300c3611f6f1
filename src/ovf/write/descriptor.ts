import {
  BOOT_ORDER_PROPERTY,
  type DeviceView,
  DISK_MODE_PROPERTY,
  FIRMWARE_PROPERTY,
  ovfItemProperties,
  ResourceType,
  readDevices,
  resourceTypeOf,
  type VirtualSystemDefinition,
  type VssdProperties,
} from '../../model/index.js';
import { element, text } from '../../xml/index.js';
import { bootDeviceSection, bootOrderElement, firmwareElement } from '../boot.js';
import { envelopeSection, ext } from '../edit/core.js';
import { createEnvelope, setAnnotation } from '../edit/edit.js';
import { addNetwork } from '../edit/hardware.js';
import { VBOX_NS, VESSEL_NS, VMW_NS } from '../namespaces.js';
import { findSection, hardwareOf } from '../select.js';
import type { OvfContent, OvfEnvelope, OvfItem, OvfSection } from '../types.js';
import { mergeConfigurations } from './configurations.js';
import { devicesByPosition, type ItemContext, instanceIds, writeItem } from './items.js';
import { placeForTarget } from './place.js';
import { diskCapacity } from './quantities.js';
import { TARGETS, virtualSystemType } from './target.js';
import type { DescriptorNote, GuestOsFacts, SystemDescriptorOptions } from './types.js';

/**
 * The one OVF system-descriptor writer: `vessel convert --to ovf` and `vessel export` both write through it, so a
 * definition is written one way whatever the command. One rule each for the VSSD (the properties the generation's
 * System carries, VirtualSystemIdentifier, VirtualSystemType), firmware and boot order, units, the item property
 * lists, device spellings for a target, MACs, networks, disks and files; what a package the system came from said
 * (product, properties, EULA, deployment options, vendor sections) is carried over as it was.
 */

/** The VSSD as the System element carries it; the rest is said in notes. */
function systemProperties(
  def: VirtualSystemDefinition,
  name: string,
  o: SystemDescriptorOptions,
  note: ItemContext['note'],
): VssdProperties {
  const gen = o.ovfVersion === '2.0' ? '2' : '1';
  const native = ovfItemProperties(gen, 'VSSD');
  const props: VssdProperties = {};
  for (const [k, v] of Object.entries(def.system)) {
    if (v === undefined || k === FIRMWARE_PROPERTY || k === BOOT_ORDER_PROPERTY || k === DISK_MODE_PROPERTY)
      continue; // said by their own elements (Firmware, BootOrder) or the host's alone (DiskMode)
    if (native.has(k)) props[k] = structuredClone(v);
    else note('DEVICE', `VSSD property ${k} has no place in an OVF System element; dropped`);
  }
  const uuid =
    typeof def.system.VirtualSystemIdentifier === 'string' ? def.system.VirtualSystemIdentifier.trim() : '';
  props.ElementName = name;
  if (props.InstanceID === undefined || props.InstanceID === '') props.InstanceID = '0';
  props.VirtualSystemIdentifier = uuid === '' ? name : uuid;
  const given = def.system.VirtualSystemType;
  props.VirtualSystemType = virtualSystemType(typeof given === 'string' ? given : undefined, o.target);
  return props;
}

/** The items of a definition, placed for the target. */
function writeItems(def: VirtualSystemDefinition, view: DeviceView, ctx: ItemContext): OvfItem[] {
  const devices = devicesByPosition(view);
  const ids = instanceIds(def.resources);
  const items = def.resources.map((r, i) => writeItem(r, devices.get(i), ids[i]!, ctx));
  return placeForTarget(items, ctx.options.target, ctx.note);
}

/** The items of the definition, or of every deployment option merged (each note said once). */
function hardwareItems(def: VirtualSystemDefinition, view: DeviceView, ctx: ItemContext): OvfItem[] {
  const configs = ctx.options.configurations;
  if (configs === undefined || configs.size === 0) return writeItems(def, view, ctx);
  const dos = findSection(ctx.options.carried?.envelope ?? [], 'DeploymentOptionSection');
  const ids = dos?.configurations.map((c) => c.id) ?? [...configs.keys()];
  const main = dos?.configurations.find((c) => /^(true|1)$/.test(c.default ?? ''))?.id ?? ids[0]!;
  const seen = new Set<string>();
  const once: ItemContext = {
    ...ctx,
    note: (code, message) => {
      if (!seen.has(message)) ctx.note(code, message);
      seen.add(message);
    },
  };
  const variants = new Map<string, OvfItem[]>();
  for (const id of ids) {
    const d = configs.get(id);
    if (d !== undefined) variants.set(id, writeItems(d, readDevices(d), once));
  }
  return mergeConfigurations(variants, main, (m) => once.note('CONFIGURATION', m));
}

function guestOs(system: OvfContent, env: OvfEnvelope, os: GuestOsFacts): void {
  const section = system.sections.find((s) => s.kind === 'OperatingSystemSection');
  if (section?.kind !== 'OperatingSystemSection') return;
  section.id = String(os.id);
  section.description = { text: os.description };
  if (os.vmware !== undefined) {
    declare(env, 'vmw', VMW_NS);
    section.attrs.push({ ns: VMW_NS, local: 'osType', prefix: 'vmw', value: os.vmware });
  }
  if (os.vbox !== undefined) {
    declare(env, 'vbox', VBOX_NS);
    const el = element(VBOX_NS, 'OSType', 'vbox', [text(os.vbox)]);
    el.attrs.push({ ns: env.namespace, local: 'required', prefix: 'ovf', value: 'false' });
    section.extra.push(el);
  }
}

function declare(env: OvfEnvelope, prefix: string, uri: string): void {
  if (env.nsDecls.some(([, u]) => u === uri)) return;
  let p = prefix;
  for (let i = 1; env.nsDecls.some(([q]) => q === p); i++) p = `${prefix}${i}`;
  env.nsDecls.push([p, uri]);
}

/** Carried sections: the OS before the hardware (replacing the written one), the rest after it. */
function insertCarried(sections: OvfSection[], carried: readonly OvfSection[]): void {
  const os = carried.filter((s) => s.kind === 'OperatingSystemSection');
  if (os.length > 0) {
    const at = sections.findIndex((s) => s.kind === 'OperatingSystemSection');
    if (at >= 0) sections.splice(at, 1);
  }
  if (carried.some((s) => s.kind === 'AnnotationSection')) {
    const at = sections.findIndex((s) => s.kind === 'AnnotationSection');
    if (at >= 0) sections.splice(at, 1);
  }
  // DSP8023 orders nothing, but VMware products expect the OS before the hardware and the product after it.
  const hw = sections.findIndex((s) => s.kind === 'VirtualHardwareSection');
  sections.splice(Math.max(hw, 0), 0, ...structuredClone(os));
  const after = sections.findIndex((s) => s.kind === 'VirtualHardwareSection');
  const rest = carried.filter((s) => s.kind !== 'OperatingSystemSection');
  sections.splice(after + 1, 0, ...structuredClone(rest));
}

function packageSections(env: OvfEnvelope, o: SystemDescriptorOptions): void {
  for (const f of o.images.files)
    env.references.push({ id: f.id, href: f.href, size: f.size?.toString(), ...ext() });
  if (o.images.disks.length > 0) {
    envelopeSection(env, 'DiskSection', () => ({
      kind: 'DiskSection',
      info: { text: 'Virtual disk information' },
      disks: o.images.disks.map((d) => ({
        diskId: d.diskId,
        ...diskCapacity(d.capacityBytes),
        fileRef: d.fileRef,
        format: d.format,
        ...ext(),
      })),
      ...ext(),
    }));
  }
  for (const s of o.carried?.envelope ?? []) {
    if (s.kind === 'NetworkSection' || s.kind === 'DeploymentOptionSection' || s.kind === 'DiskSection')
      envelopeSection(env, s.kind, () => structuredClone(s));
    else env.sections.push(structuredClone(s));
  }
}

/**
 * Writes one virtual system as an OVF descriptor: the definition's VSSD as the System (VirtualSystemIdentifier
 * the definition's, else its name; VirtualSystemType the definition's when it is of the target's platform, else
 * the target's family), every RASD as an item in order with its InstanceID (see items.ts: the generation's
 * property list and units, drives' images as `ovf:/disk/ID` and `ovf:/file/ID`, MACs kept only when asked,
 * devices spelled for the target), the NICs' networks, firmware as `vmw:Config firmware`, the boot order as
 * `vessel:BootOrder` (OVF 1.x) or a BootDeviceSection (OVF 2.x), the guest OS, the Description as annotation,
 * and what `carried` holds. `view` is `readDevices(def)`. Returns the envelope and what it changed or left out.
 *
 * @example
 * const { env, notes } = writeSystemDescriptor(def, readDevices(def), {
 *   ovfVersion: '1.0', target: 'vmware', images: { files: [], disks: [], drives: new Map() } });
 */
export function writeSystemDescriptor(
  def: VirtualSystemDefinition,
  view: DeviceView,
  o: SystemDescriptorOptions,
): { env: OvfEnvelope; notes: DescriptorNote[] } {
  const gen = o.ovfVersion === '2.0' ? '2' : '1';
  const notes: DescriptorNote[] = [];
  const note: ItemContext['note'] = (code, message) => notes.push({ code, message });
  const given = def.system.ElementName;
  const name = typeof given === 'string' && given.trim() !== '' ? given.trim() : 'vm';
  const env = createEnvelope({ name, cpus: 1, memoryBytes: 1n << 20n, generation: gen });
  const system = env.content!;
  const hw = hardwareOf(system)!;
  hw.system!.properties = systemProperties(def, name, o, note);
  hw.items = hardwareItems(def, view, { gen, options: o, note });
  for (const [p, u] of o.carried?.nsDecls ?? []) declare(env, p, u);
  packageSections(env, o);
  for (const it of hw.items) {
    if (resourceTypeOf(it.resource) !== ResourceType.EthernetAdapter) continue;
    for (const c of it.resource.properties.Connection ?? []) if (c.trim() !== '') addNetwork(env, c);
  }
  const os = o.guestOs ?? {
    id: 102,
    description: 'Other 64-Bit',
    vmware: o.target === 'vmware' ? 'otherGuest64' : undefined,
  };
  guestOs(system, env, os);
  if (view.system.firmware !== undefined) {
    declare(env, 'vmw', VMW_NS);
    hw.extra.push(firmwareElement(env.namespace, view.system.firmware));
  }
  if (gen === '1') {
    const boot = bootOrderElement(env.namespace, view);
    if (boot !== undefined) {
      declare(env, 'vessel', VESSEL_NS);
      hw.extra.push(boot);
    }
  }
  hw.extra.push(...structuredClone(o.carried?.hardwareExtras ?? []));
  if (o.carried?.transport !== undefined && o.carried.transport.trim() !== '')
    hw.transport = o.carried.transport;
  const description = def.system.Description;
  if (typeof description === 'string' && description !== '') setAnnotation(system, description);
  insertCarried(system.sections, o.carried?.sections ?? []);
  if (gen === '2') {
    const boot = bootDeviceSection(env.namespace, view);
    if (boot !== undefined) {
      const at = system.sections.findIndex((s) => s.kind === 'VirtualHardwareSection');
      system.sections.splice(at + 1, 0, boot);
    }
  }
  for (const n of o.carried?.notes ?? []) note('PRODUCT', n);
  if (!TARGETS[o.target].ovfVersions.includes(o.ovfVersion))
    note(
      'CONFIGURATION',
      `${o.target} reads OVF ${TARGETS[o.target].ovfVersions.join(' or ')}, not ${o.ovfVersion}`,
    );
  return { env, notes };
}
