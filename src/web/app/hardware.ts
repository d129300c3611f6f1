import { bytesOf, RESOURCE_TYPES } from './format.js';
import type { Resource, SystemView } from './types.js';

/**
 * A definition's hardware as the system page lists it: drives on their controllers (DSP1041 Parent and
 * AddressOnParent), NICs on their networks, firmware and boot order (the VSSD's Firmware and BootOrder).
 */

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);
const all = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];

/** A disk, CD/DVD or floppy drive. */
export interface Drive {
  id: string;
  name: string;
  kind: 'disk' | 'cdrom' | 'floppy';
  /** The image (HostResource); undefined for an empty drive. */
  image: string | undefined;
  /** Capacity in bytes when the definition states one. */
  capacityBytes: number | undefined;
  /** `IDE controller 0 (PIIX4), slot 1`. */
  place: string;
}

/** A network adapter. */
export interface Nic {
  id: string;
  name: string;
  model: string | undefined;
  network: string | undefined;
  mac: string | undefined;
}

/** What the page shows. */
export interface Hardware {
  drives: Drive[];
  nics: Nic[];
  firmware: string;
  /** Boot devices by name, in order (the host's default order when the definition names none). */
  bootOrder: string[];
  bootDefault: boolean;
  machine: string | undefined;
}

const DRIVE_KINDS: Record<string, Drive['kind']> = {
  '14': 'floppy',
  '15': 'cdrom',
  '16': 'cdrom',
  '17': 'disk',
};

/** Where a resource sits: its controller's name and kind, and the slot. */
function placeOf(r: Resource, byId: ReadonlyMap<string, Resource>): string {
  const parent = one(r.properties.Parent);
  const slot = one(r.properties.AddressOnParent);
  if (parent === undefined) return slot === undefined ? '—' : `slot ${slot}`;
  const c = byId.get(parent);
  const kind = RESOURCE_TYPES[one(c?.properties.ResourceType) ?? ''] ?? 'controller';
  const name = one(c?.properties.ElementName) ?? `${kind} #${parent}`;
  const sub = one(c?.properties.ResourceSubType);
  const addr = one(c?.properties.Address);
  return `${name}${sub === undefined ? '' : ` (${sub})`}${addr === undefined ? '' : `, bus ${addr}`}${slot === undefined ? '' : `, slot ${slot}`}`;
}

/** Reads the hardware of a system's definition. */
export function hardwareOf(s: SystemView): Hardware {
  const resources = s.definition?.resources ?? [];
  const system = s.definition?.system ?? {};
  const byId = new Map(resources.map((r) => [one(r.properties.InstanceID) ?? '', r]));
  const drives: Drive[] = [];
  const nics: Nic[] = [];
  for (const r of resources) {
    const p = r.properties;
    const type = one(p.ResourceType) ?? '';
    const id = one(p.InstanceID) ?? '';
    const kind = DRIVE_KINDS[type];
    if (kind !== undefined) {
      const capacity = bytesOf(r, 'VirtualQuantity') ?? bytesOf(r, 'Limit');
      drives.push({
        id,
        name: one(p.ElementName) ?? id,
        kind,
        image: one(p.HostResource),
        capacityBytes: p.VirtualQuantity === undefined && p.Limit === undefined ? undefined : capacity,
        place: placeOf(r, byId),
      });
    } else if (type === '10') {
      nics.push({
        id,
        name: one(p.ElementName) ?? id,
        model: one(p.ResourceSubType),
        network: all(p.Connection).join(', ') || undefined,
        mac: one(p.Address),
      });
    }
  }
  const order = all(system.BootOrder);
  const named = order.map((id) => one(byId.get(id)?.properties.ElementName) ?? `#${id}`);
  return {
    drives,
    nics,
    firmware: one(system.Firmware) ?? 'bios (default)',
    bootOrder: order.length > 0 ? named : drives.map((d) => d.name),
    bootDefault: order.length === 0,
    machine: one(system.VirtualSystemType),
  };
}
