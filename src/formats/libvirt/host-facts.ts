import { BOOT_ORDER_PROPERTY, DISK_MODE_PROPERTY, type VirtualSystemDefinition } from '../../model/index.js';
import type { XmlElement } from '../../xml/index.js';
import { attr, children, el } from '../xml-build.js';

/** The namespace of Vessel's own element in a domain's `<metadata>` (write.ts declares it). */
const NS = 'urn:x-vessel:libvirt:1';

/**
 * What a Vessel host keeps in a domain that libvirt has no element for (issue 13): each resource's InstanceID,
 * keyed by what identifies its device in the domain XML (`cpu`, `memory`, `disk:vda`, `scsi:0`, `ide:1`,
 * `virtio`, `usb`, `nic:0`, `serial:0`, `video`), and the VSSD DiskMode. The reader numbers devices in document
 * order; with these facts a definition read back keeps the InstanceIDs it was written with, whatever was added
 * or removed in between.
 */
export interface HostFacts {
  ids: Map<string, string>;
  diskMode?: string | undefined;
}

/**
 * Vessel metadata elements for host facts: `<vessel:id key="disk:vda" instance="5"/>` per device and
 * `<vessel:disk-mode value="direct"/>`.
 *
 * @example
 * hostFactElements({ ids: new Map([['cpu', '1']]) }); // [<vessel:id key="cpu" instance="1"/>]
 */
export function hostFactElements(facts: HostFacts): XmlElement[] {
  const out = [...facts.ids].map(([key, instance]) => el('id', { key, instance }, [], NS, 'vessel'));
  if (facts.diskMode !== undefined) out.push(el('disk-mode', { value: facts.diskMode }, [], NS, 'vessel'));
  return out;
}

/** The host facts of Vessel's metadata element (its children), or undefined when it holds none. */
export function readHostFacts(system: XmlElement): HostFacts | undefined {
  const ids = new Map<string, string>();
  for (const e of children(system, 'id')) {
    const key = attr(e, 'key');
    const instance = attr(e, 'instance');
    // In Vessel's namespace, or in none (virDomainSetMetadata namespaces only the element it is given).
    if ((e.ns !== NS && e.ns !== '') || key === undefined || instance === undefined) continue;
    if (key.length > 64 || instance.length > 256 || ids.size >= 4096) continue;
    ids.set(key, instance);
  }
  const mode = children(system, 'disk-mode').find((e) => e.ns === NS || e.ns === '');
  const diskMode = attr(mode, 'value')?.slice(0, 32);
  if (ids.size === 0 && diskMode === undefined) return undefined;
  return { ids, ...(diskMode === undefined ? {} : { diskMode }) };
}

/**
 * Gives a definition the reader built (sequential InstanceIDs, `read` maps each device key to the one it got) the
 * InstanceIDs of `facts`: Parent references and the BootOrder follow. A device the facts do not name (added by
 * virsh) keeps its number, or gets a new one past every other when that number is taken.
 */
export function applyHostFacts(
  def: VirtualSystemDefinition,
  read: ReadonlyMap<string, string>,
  facts: HostFacts,
): void {
  if (facts.diskMode !== undefined) def.system[DISK_MODE_PROPERTY] = facts.diskMode;
  const rename = new Map<string, string>();
  const taken = new Set<string>();
  for (const [key, generated] of read) {
    const wanted = facts.ids.get(key);
    if (wanted === undefined || taken.has(wanted) || rename.has(generated)) continue;
    rename.set(generated, wanted);
    taken.add(wanted);
  }
  let next = 1;
  for (const r of def.resources) {
    const id = r.properties.InstanceID;
    if (id === undefined || rename.has(id)) continue;
    if (!taken.has(id)) {
      taken.add(id);
      continue;
    }
    while (taken.has(String(next)) || def.resources.some((x) => x.properties.InstanceID === String(next)))
      next++;
    rename.set(id, String(next));
    taken.add(String(next));
  }
  if (rename.size === 0) return;
  const to = (id: string) => rename.get(id) ?? id;
  for (const r of def.resources) {
    const p = r.properties;
    if (p.InstanceID !== undefined) p.InstanceID = to(p.InstanceID);
    if (typeof p.Parent === 'string') p.Parent = to(p.Parent);
  }
  const boot = def.system[BOOT_ORDER_PROPERTY];
  if (Array.isArray(boot)) def.system[BOOT_ORDER_PROPERTY] = boot.map(to);
}
