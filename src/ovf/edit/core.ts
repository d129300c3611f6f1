import { type RasdProperties, resourceTypeOf } from '../../model/index.js';
import { OvfError } from '../errors.js';
import { findSection, hardwareOf, itemApplies, itemsFor, virtualSystems } from '../select.js';
import type { OvfContent, OvfEnvelope, OvfItem, OvfSection, OvfVirtualHardwareSection } from '../types.js';

/**
 * Editing operations on an envelope, like COT's edit-* commands: each changes only what it names and keeps the
 * rest of the descriptor (unknown sections, vendor attributes, order) intact. They mutate the envelope in place
 * and throw {@link OvfError} `OVF_EDIT` when the edit cannot be made.
 */

export const ext = () => ({ attrs: [], extra: [] });

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

export function hardware(system: OvfContent): OvfVirtualHardwareSection {
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
export function envelopeSection<S extends OvfSection>(env: OvfEnvelope, kind: S['kind'], make: () => S): S {
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

export function nextInstanceId(hw: OvfVirtualHardwareSection): string {
  let max = 0;
  for (const i of hw.items) {
    const n = Number(i.resource.properties.InstanceID);
    if (Number.isInteger(n) && n > max) max = n;
  }
  return String(max + 1);
}

export function newItem(
  hw: OvfVirtualHardwareSection,
  props: RasdProperties,
  configuration?: string,
): OvfItem {
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
export function itemsOfType(hw: OvfVirtualHardwareSection, type: number, configuration?: string): OvfItem[] {
  return hw.items.filter(
    (i) =>
      resourceTypeOf(i.resource) === type &&
      itemApplies(i, configuration) &&
      i.bound !== 'min' &&
      i.bound !== 'max',
  );
}

/** The ids of the deployment options; an edit for an option refuses one the descriptor does not define. */
export function requireConfiguration(env: OvfEnvelope, configuration: string): string[] {
  const all = findSection(env.sections, 'DeploymentOptionSection')?.configurations.map((c) => c.id) ?? [];
  if (!all.includes(configuration))
    throw new OvfError('OVF_EDIT', `No deployment option has the id "${configuration}"`, {
      hint: all.length > 0 ? `Options: ${all.join(', ')}` : 'The descriptor has no DeploymentOptionSection.',
    });
  return all;
}

/** The options an item applies to, as written. */
const optionsOf = (i: OvfItem) => (i.configuration ?? '').split(/\s+/).filter((c) => c !== '');

/**
 * The items of a type to change for one deployment option, without touching another option (DSP0243 §9.8). With
 * no option named, every item of the type (each option's) is changed. For an option: an item written for it
 * alone is changed in place; one it shares with other options (`ovf:configuration="a b"`) keeps the others and
 * a copy with the same InstanceID takes this option; a general item this option has no override of gets one,
 * the same-InstanceID override VMware and COT write (no new item, no duplicate). When the descriptor has one
 * option, the general item is that option's own.
 */
export function itemsForEdit(
  env: OvfEnvelope | undefined,
  hw: OvfVirtualHardwareSection,
  type: number,
  configuration?: string,
): OvfItem[] {
  if (configuration === undefined || env === undefined) return itemsOfType(hw, type, configuration);
  const all = requireConfiguration(env, configuration);
  const out: OvfItem[] = [];
  const override = (item: OvfItem, after: OvfItem): OvfItem => {
    const copy: OvfItem = structuredClone(item);
    copy.configuration = configuration;
    delete copy.line;
    hw.items.splice(hw.items.indexOf(after) + 1, 0, copy);
    if (optionsOf(item).length === 0) overrides.set(copy, item);
    return copy;
  };
  for (const item of itemsFor(itemsOfType(hw, type, configuration), configuration)) {
    const options = optionsOf(item);
    if (options.length === 0) {
      if (all.length <= 1) out.push(item);
      else {
        const id = item.resource.properties.InstanceID;
        const last = hw.items
          .filter((i) => i === item || (id !== undefined && i.resource.properties.InstanceID === id))
          .at(-1)!;
        out.push(override(item, last));
      }
    } else if (options.length === 1) out.push(item);
    else {
      item.configuration = options.filter((c) => c !== configuration).join(' ');
      out.push(override(item, item));
    }
  }
  return out;
}

/** The overrides {@link itemsForEdit} made of a general item, with that item: {@link settleOverrides} drops them. */
const overrides = new WeakMap<OvfItem, OvfItem>();

/** An item as written, less what an override changes by being one (its options, its line). */
const body = (i: OvfItem) => JSON.stringify({ ...i, configuration: undefined, line: undefined });

/**
 * Drops the overrides {@link itemsForEdit} added that the edit left equal to the general item they copy (an
 * option's NIC that `--nic-network 2` did not change, a CPU count set to the general value): an override that
 * overrides nothing is a duplicate Item. Overrides the descriptor had are kept as they are.
 */
export function settleOverrides(hw: OvfVirtualHardwareSection): void {
  hw.items = hw.items.filter((i) => {
    const base = overrides.get(i);
    return base === undefined || body(i) !== body(base);
  });
}

export function freeId(used: string[], base: string): string {
  for (let i = 1; ; i++) if (!used.includes(`${base}${i}`)) return `${base}${i}`;
}
