import type { OvfItem } from '../types.js';
import type { ValidationContext } from './context.js';

/** A single-valued CIM property of an Item as text: the first value when the descriptor repeats it. */
export function prop(it: OvfItem, name: string): string | undefined {
  const v = it.resource.properties[name];
  return Array.isArray(v) ? v[0] : v;
}

/** A multi-valued CIM property (HostResource, Connection) as a list, whatever its form in the model. */
export function props(it: OvfItem, name: string): string[] {
  const v = it.resource.properties[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** What a rasd:HostResource value refers to. */
type HostResourceRef =
  | { kind: 'disk' | 'file'; id: string }
  | { kind: 'invalid' }
  /** Not a reference into the package (a host device path, empty, ...). */
  | { kind: 'host' };

/**
 * Reads a HostResource: `ovf:/disk/ID` and `ovf:/file/ID` (DSP0243 §9.1), the 0.9 draft's `/disk/ID` and
 * `/file/ID`, and VirtualBox's `ovf://disk/ID`. Any other `ovf:` URI is invalid.
 */
export function parseHostResource(value: string): HostResourceRef {
  const v = value.trim();
  const m = /^(?:ovf:\/\/?)?\/?(disk|file)\/(.+)$/.exec(v);
  if (m && (v.startsWith('ovf:') || v.startsWith('/'))) return { kind: m[1] as 'disk' | 'file', id: m[2]! };
  return v.toLowerCase().startsWith('ovf:') ? { kind: 'invalid' } : { kind: 'host' };
}

/** Every hardware Item of the descriptor (VirtualHardwareSection and ResourceAllocationSection). */
function allItems(ctx: ValidationContext): OvfItem[] {
  const out: OvfItem[] = [];
  for (const { section: s } of ctx.sections) {
    if (s.kind === 'VirtualHardwareSection' || s.kind === 'ResourceAllocationSection') out.push(...s.items);
  }
  return out;
}

/** The configurations an Item applies to: `all` without ovf:configuration, else the ids it lists. */
export type ConfigurationSet = 'all' | ReadonlySet<string>;

/** The configurations an Item applies to. */
export function configurationsOf(it: OvfItem): ConfigurationSet {
  const ids = (it.configuration ?? '').split(/\s+/).filter(Boolean);
  return ids.length === 0 ? 'all' : new Set(ids);
}

/** True when two configuration sets share a configuration. */
export function overlaps(a: ConfigurationSet, b: ConfigurationSet): boolean {
  if (a === 'all' || b === 'all') return true;
  for (const x of a) if (b.has(x)) return true;
  return false;
}

/** For each disk some Item's HostResource uses, the configurations in which it is attached. */
export function diskUse(ctx: ValidationContext): Map<string, ConfigurationSet> {
  const used = new Map<string, ConfigurationSet>();
  for (const it of allItems(ctx)) {
    for (const h of props(it, 'HostResource')) {
      const r = parseHostResource(h);
      if (r.kind !== 'disk') continue;
      const prev = used.get(r.id);
      const mine = configurationsOf(it);
      used.set(
        r.id,
        prev === undefined ? mine : prev === 'all' || mine === 'all' ? 'all' : new Set([...prev, ...mine]),
      );
    }
  }
  return used;
}

/** How an Item is named in messages: `Item 3` (its InstanceID) or `Item on line 40`. */
export function itemName(it: OvfItem): string {
  const id = prop(it, 'InstanceID');
  if (id !== undefined && id !== '') return `${it.element} ${id}`;
  return it.line === undefined
    ? `An ${it.element} without InstanceID`
    : `The ${it.element} on line ${it.line}`;
}
