import type { ResourceSetting } from '../settings.js';
import { classifyResource } from './classify.js';

/**
 * Reading the addresses a RASD carries as text: MACs (Address of an Ethernet adapter), slots and channels
 * (AddressOnParent, Address of a controller) and image references (HostResource).
 */

const MAC = /^[0-9a-f]{2}([:-])[0-9a-f]{2}(\1[0-9a-f]{2}){4}$|^[0-9a-f]{12}$/i;

/** Parses a MAC written as `52:54:00:12:34:56`, `52-54-00-...` or 12 hex digits into the colon form, lower case. */
export function normalizeMac(text: string): string | undefined {
  const t = text.trim();
  if (!MAC.test(t)) return undefined;
  const hex = t.replace(/[:-]/g, '').toLowerCase();
  return hex.match(/../g)!.join(':');
}

/** A whole number of at most 9 digits (a slot, channel or bus number), surrounding spaces allowed. */
export function slotNumber(text: string | undefined): number | undefined {
  if (text === undefined || !/^\s*\d{1,9}\s*$/.test(text)) return undefined;
  return Number(text);
}

/**
 * The host path of an image reference: an absolute path or a `file://` URL. Returns undefined for anything else
 * (relative paths, `ovf:/disk/...` references that a deploy must resolve first, other URL schemes).
 *
 * @example
 * imagePath('file:///var/lib/vessel/a.qcow2'); // '/var/lib/vessel/a.qcow2'
 */
export function imagePath(hostResource: string | undefined): string | undefined {
  if (hostResource === undefined) return undefined;
  const t = hostResource.trim();
  if (t.startsWith('file://')) {
    try {
      const u = new URL(t);
      return u.host === '' || u.host === 'localhost' ? decodeURIComponent(u.pathname) : undefined;
    } catch {
      return undefined;
    }
  }
  return t.startsWith('/') ? t : undefined;
}

/** What a drive's HostResource names: a host path, an OVF package's disk or file (DSP0243 §8.3), or other text. */
export type ImageRef =
  | { kind: 'path'; path: string }
  | { kind: 'ovf-disk' | 'ovf-file'; id: string }
  | { kind: 'other'; text: string };

/**
 * Reads a HostResource: `ovf:/disk/<id>` and `ovf:/file/<id>` (also the older `ovf://disk/<id>`), a host path,
 * or anything else as text. Undefined for an empty value.
 *
 * @example
 * imageRef('ovf:/disk/vmdisk1'); // { kind: 'ovf-disk', id: 'vmdisk1' }
 */
export function imageRef(hostResource: string | undefined): ImageRef | undefined {
  const t = (hostResource ?? '').trim();
  if (t === '') return undefined;
  const ovf = /^ovf:\/\/?(disk|file)\/(.+)$/.exec(t);
  if (ovf !== null) return { kind: ovf[1] === 'disk' ? 'ovf-disk' : 'ovf-file', id: ovf[2]! };
  const path = imagePath(t);
  return path === undefined ? { kind: 'other', text: t } : { kind: 'path', path };
}

/** What {@link driveSlotFromAddress} made of a RASD: the setting to keep, or why it cannot be read. */
export type DriveAddressReading = { setting: ResourceSetting } | { problem: string; hint: string };

/**
 * A drive's place given in Address, as the model keeps it (AddressOnParent, with Parent naming the controller).
 * CIM_ResourceAllocationSettingData.Address is "the address of the resource" (DSP1041 lets a client put a drive's
 * unit there); the model, OVF and every driver read a drive's unit on its controller from AddressOnParent. A
 * drive whose Address is a slot number gets it as AddressOnParent; one that gives both, equal, keeps one; other
 * settings are returned unchanged. An Address that is not a slot number, or that disagrees with AddressOnParent,
 * is a problem, never silently dropped.
 *
 * @example
 * driveSlotFromAddress({ cimClass: 'CIM_ResourceAllocationSettingData',
 *   properties: { ResourceType: '17', Parent: '3', Address: '1' } });
 * // { setting: { ..., properties: { ResourceType: '17', Parent: '3', AddressOnParent: '1' } } }
 */
export function driveSlotFromAddress(r: ResourceSetting): DriveAddressReading {
  const address = r.properties.Address;
  if (address === undefined || address.trim() === '' || classifyResource(r).device !== 'drive')
    return { setting: r };
  const slot = slotNumber(address);
  const hint = 'Give the drive its controller in Parent and its unit on it (0, 1, ...) in AddressOnParent.';
  const shown = address.length > 40 ? `${address.slice(0, 40)}…` : address;
  if (slot === undefined)
    return { problem: `The drive's Address "${shown}" is not a unit number on its controller`, hint };
  const { Address: _, ...properties } = r.properties;
  const given = r.properties.AddressOnParent;
  if (given !== undefined && given.trim() !== '') {
    if (slotNumber(given) === slot) return { setting: { cimClass: r.cimClass, properties } };
    return { problem: `The drive's Address "${shown}" and AddressOnParent "${given}" disagree`, hint };
  }
  return { setting: { cimClass: r.cimClass, properties: { ...properties, AddressOnParent: String(slot) } } };
}
