import type { OvfItem } from '../types.js';

/**
 * Deployment options written back as OVF states them (DSP0243 §9.8): an item the same under every option is
 * written once with no `ovf:configuration`; where options differ, the default option's item is the general one
 * and each other variant is written after it with the same InstanceID and `ovf:configuration` listing the options
 * it applies to (the convention VMware and COT write and every reader, Vessel's included, resolves); an item only
 * some options have lists them.
 */

const key = (i: OvfItem) =>
  JSON.stringify([i.element, i.required, i.resource.cimClass, i.resource.properties, i.attrs, i.extra]);

/**
 * One list of items from the items of each option (every option of the DeploymentOptionSection, in its order),
 * `defaultId` the default option. Items keep the default option's order; an item other options have is placed
 * after the item it follows in the first of them.
 *
 * @example
 * mergeConfigurations(new Map([['small', smallItems], ['large', largeItems]]), 'small');
 */
export function mergeConfigurations(
  variants: ReadonlyMap<string, readonly OvfItem[]>,
  defaultId: string,
  note: (message: string) => void = () => {},
): OvfItem[] {
  const configs = [...variants.keys()];
  const order: string[] = [];
  const byId = new Map<string, Map<string, OvfItem>>();
  // The default option's order, with each other option's items inserted after the item they follow there.
  const sorted = [defaultId, ...configs.filter((c) => c !== defaultId)];
  for (const c of sorted) {
    let at = 0;
    for (const it of variants.get(c) ?? []) {
      const id = it.resource.properties.InstanceID ?? '';
      let per = byId.get(id);
      if (per === undefined) {
        per = new Map();
        byId.set(id, per);
        order.splice(at, 0, id);
      }
      at = order.indexOf(id) + 1;
      if (!per.has(c)) per.set(c, it);
      else note(`Two items with InstanceID "${id}" apply to deployment option "${c}"; the first is written`);
    }
  }
  const out: OvfItem[] = [];
  for (const id of order) {
    const per = byId.get(id)!;
    const groups = new Map<string, { item: OvfItem; configs: string[] }>();
    for (const c of configs) {
      const it = per.get(c);
      if (it === undefined) continue;
      const k = key(it);
      const g = groups.get(k);
      if (g) g.configs.push(c);
      else groups.set(k, { item: it, configs: [c] });
    }
    const everywhere = per.size === configs.length;
    const general = everywhere ? [...groups.values()].find((g) => g.configs.includes(defaultId)) : undefined;
    if (general !== undefined) out.push(structuredClone(general.item));
    for (const g of groups.values()) {
      if (g === general) continue;
      const item = structuredClone(g.item);
      item.configuration = g.configs.join(' ');
      out.push(item);
    }
  }
  return out;
}
