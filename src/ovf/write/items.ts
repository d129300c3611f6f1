import {
  type Device,
  type DeviceView,
  ovfItemProperties,
  type RasdProperties,
  type ResourceSetting,
  ResourceType,
  resourceTypeName,
  resourceTypeOf,
  type SettingClass,
} from '../../model/index.js';
import type { OvfItem, OvfItemElement } from '../types.js';
import { writeQuantities } from './quantities.js';
import { respell, TARGETS } from './target.js';
import type { DescriptorNoteCode, SystemDescriptorOptions } from './types.js';

/**
 * The Items of a definition as one OVF generation writes them: the properties that generation's element carries
 * (from the model's property schema), sizes in its units, each drive's image as a package reference, MACs left
 * out unless kept, Connection only on network adapters, devices spelled for the target.
 */

/** Where each RASD class goes, per generation: OVF 1.x has Items only (DSP8023 1.1); 2.x has its own elements. */
const ELEMENT: Record<'1' | '2', Record<ResourceSetting['cimClass'], [OvfItemElement, SettingClass]>> = {
  '1': {
    CIM_ResourceAllocationSettingData: ['Item', 'RASD'],
    CIM_StorageAllocationSettingData: ['Item', 'RASD'],
    CIM_EthernetPortAllocationSettingData: ['Item', 'RASD'],
  },
  '2': {
    CIM_ResourceAllocationSettingData: ['Item', 'RASD'],
    CIM_StorageAllocationSettingData: ['StorageItem', 'SASD'],
    CIM_EthernetPortAllocationSettingData: ['EthernetPortItem', 'EPASD'],
  },
};

/** Device kinds a platform may do without: serial and parallel ports, USB, graphics, vendor and "other" types. */
const EXTRAS = new Set<number>([
  ResourceType.Other,
  ResourceType.SerialPort,
  ResourceType.ParallelPort,
  ResourceType.UsbController,
  ResourceType.GraphicsController,
]);

/** What items are written with; `note` collects what changed. */
export interface ItemContext {
  gen: '1' | '2';
  options: SystemDescriptorOptions;
  note: (code: DescriptorNoteCode, message: string) => void;
}

/** The view's device of each resource, by position (processors and memory have none). */
export function devicesByPosition(view: DeviceView): Map<number, Device> {
  const out = new Map<number, Device>();
  for (const list of [
    view.controllers,
    view.drives,
    view.nics,
    view.serials,
    view.graphics,
    view.sound,
    view.others,
  ])
    for (const d of list) out.set(d.position, d);
  return out;
}

function keepProperties(
  props: RasdProperties,
  carried: ReadonlySet<string>,
  element: OvfItemElement,
  id: string,
  ctx: ItemContext,
): RasdProperties {
  const out: RasdProperties = {};
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined) continue;
    if (carried.has(k)) out[k] = v;
    else ctx.note('DEVICE', `Resource "${id}": property ${k} has no place in an OVF ${element}; dropped`);
  }
  return out;
}

function placeImage(props: RasdProperties, d: Device | undefined, id: string, ctx: ItemContext): void {
  if (d?.device !== 'drive') return;
  const image = ctx.options.images.drives.get(d.instanceId);
  if (image !== undefined && 'disk' in image) props.HostResource = [`ovf:/disk/${image.disk}`];
  else if (image !== undefined && 'file' in image) props.HostResource = [`ovf:/file/${image.file}`];
  else if (props.HostResource !== undefined || image !== undefined) {
    const why =
      image !== undefined && 'empty' in image ? image.empty : 'its image is not part of the package';
    ctx.note('DEVICE', `Drive "${id}" written empty: ${why}`);
    delete props.HostResource;
  }
}

/**
 * One resource as an OVF item. `d` is its device in the view (undefined for processors and memory); `id` its
 * InstanceID (assigned by the caller when the definition has none).
 */
export function writeItem(r: ResourceSetting, d: Device | undefined, id: string, ctx: ItemContext): OvfItem {
  const [element, cls] = ELEMENT[ctx.gen][r.cimClass] ?? ['Item', 'RASD'];
  const quantities = writeQuantities(r, ctx.gen);
  if (quantities.lost !== undefined) ctx.note('MEMORY', `Resource "${id}": ${quantities.lost}`);
  const props = keepProperties(quantities.properties, ovfItemProperties(ctx.gen, cls), element, id, ctx);
  props.InstanceID = id;
  const type = resourceTypeOf(r);
  if (props.ElementName === undefined)
    props.ElementName = (type === undefined ? undefined : resourceTypeName(type)) ?? `Resource ${id}`;
  placeImage(props, d, id, ctx);
  const nic = d?.device === 'nic';
  if (nic && props.Address !== undefined && !ctx.options.keepMacs) delete props.Address;
  if (!nic && props.Connection !== undefined) {
    // OVF reads an item's Connection as the name of a Network in NetworkSection (DSP0243 §9.5).
    ctx.note(
      d?.device === 'serial' ? 'SERIAL' : 'DEVICE',
      `Resource "${id}": Connection ${JSON.stringify(props.Connection)} is not a network, which is all OVF reads there; dropped`,
    );
    delete props.Connection;
  }
  const resource: ResourceSetting = { cimClass: r.cimClass, properties: props };
  if (d !== undefined) {
    const change = respell(ctx.options.target, d, resource);
    if (change !== undefined) ctx.note(d.device === 'nic' ? 'NIC_MODEL' : 'CONTROLLER', change.message);
  }
  const item: OvfItem = { element, resource, attrs: [], extra: [] };
  const carried = ctx.options.carried?.items?.get(id);
  if (carried !== undefined) {
    item.attrs = structuredClone(carried.attrs);
    item.extra = structuredClone(carried.extra);
    if (carried.required !== undefined) item.required = carried.required;
  }
  const optional =
    TARGETS[ctx.options.target].optionalExtras && (type === undefined || EXTRAS.has(type) || type >= 0x8000);
  if (optional) item.required = 'false';
  return item;
}

/** The InstanceIDs items are written with: the definition's, or `rN` (N its position) where it has none. */
export function instanceIds(resources: readonly ResourceSetting[]): string[] {
  const used = new Set(resources.map((r) => r.properties.InstanceID).filter((x) => x !== undefined));
  return resources.map((r, i) => {
    const own = r.properties.InstanceID;
    if (own !== undefined && own !== '') return own;
    let id = `r${i + 1}`;
    for (let n = 2; used.has(id); n++) id = `r${i + 1}-${n}`;
    used.add(id);
    return id;
  });
}
