import type {
  OvfContent,
  OvfEnvelope,
  OvfItem,
  OvfSection,
  OvfSectionKind,
  OvfVirtualHardwareSection,
} from './types.js';

/** A section of the given kind, typed. */
export type SectionOf<K extends OvfSectionKind> = Extract<OvfSection, { kind: K }>;

/** The first section of a kind in a list, typed. */
export function findSection<K extends OvfSectionKind>(
  sections: OvfSection[],
  kind: K,
): SectionOf<K> | undefined {
  return sections.find((s): s is SectionOf<K> => s.kind === kind);
}

/** Every section of a kind in a list, typed. */
export function findSections<K extends OvfSectionKind>(sections: OvfSection[], kind: K): SectionOf<K>[] {
  return sections.filter((s): s is SectionOf<K> => s.kind === kind);
}

/** Every VirtualSystem of the envelope, depth first (a lone VirtualSystem, or those inside collections). */
export function virtualSystems(env: OvfEnvelope): OvfContent[] {
  const out: OvfContent[] = [];
  const walk = (c: OvfContent | undefined): void => {
    if (!c) return;
    if (c.kind === 'VirtualSystem') out.push(c);
    c.children.forEach(walk);
  };
  walk(env.content);
  return out;
}

/** Every content node (systems and collections), depth first. */
export function allContents(env: OvfEnvelope): OvfContent[] {
  const out: OvfContent[] = [];
  const walk = (c: OvfContent | undefined): void => {
    if (!c) return;
    out.push(c);
    c.children.forEach(walk);
  };
  walk(env.content);
  return out;
}

/** The first VirtualHardwareSection of a system. */
export function hardwareOf(system: OvfContent): OvfVirtualHardwareSection | undefined {
  return findSection(system.sections, 'VirtualHardwareSection');
}

/**
 * Whether an item applies to a deployment configuration: items without `ovf:configuration` apply to all
 * (DSP0243 §9.8); with no configuration chosen, every item applies.
 */
export function itemApplies(item: OvfItem, configuration: string | undefined): boolean {
  if (configuration === undefined || item.configuration === undefined) return true;
  return item.configuration.split(/\s+/).includes(configuration);
}

/** The id of the default deployment configuration (`ovf:default="true"`, else the first), if any. */
export function defaultConfiguration(env: OvfEnvelope): string | undefined {
  const dos = findSection(env.sections, 'DeploymentOptionSection');
  if (!dos) return undefined;
  return (dos.configurations.find((c) => c.default === 'true' || c.default === '1') ?? dos.configurations[0])
    ?.id;
}

/**
 * The items of a hardware section that make up one deployment option (DSP0243 §9.8): items for every option and
 * those for this one, where an item written for this option replaces the general item with the same InstanceID
 * (the way VMware and COT write per-option CPU and memory); `min`/`max` range markers are left out. With no
 * option named, items written for any option replace general ones the same way.
 *
 * @example
 * itemsFor(hardwareOf(system)!.items, 'large').filter((i) => i.resource.properties.ResourceType === '3');
 */
export function itemsFor(items: readonly OvfItem[], configuration: string | undefined): OvfItem[] {
  const applicable = items.filter(
    (i) => itemApplies(i, configuration) && i.bound !== 'min' && i.bound !== 'max',
  );
  const specific = new Set(
    applicable.filter((i) => i.configuration !== undefined).map((i) => i.resource.properties.InstanceID),
  );
  return applicable.filter(
    (i) => i.configuration !== undefined || !specific.has(i.resource.properties.InstanceID),
  );
}
