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
