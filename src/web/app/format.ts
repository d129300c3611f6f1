import type { Resource, SystemView } from './types.js';

/** How the UI reads a definition's resources (DSP1041 ResourceType values, DSP0004 programmatic units). */

/** DSP1041 ResourceType names of the kinds a system has. */
export const RESOURCE_TYPES: Record<string, string> = {
  '1': 'Other',
  '3': 'Processor',
  '4': 'Memory',
  '5': 'IDE controller',
  '6': 'SCSI controller',
  '10': 'Network adapter',
  '14': 'Floppy drive',
  '15': 'CD drive',
  '16': 'DVD drive',
  '17': 'Disk',
  '20': 'Storage controller',
  '21': 'Serial port',
  '22': 'Parallel port',
  '23': 'USB controller',
  '24': 'Graphics',
  '31': 'Logical disk',
};

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** The first resource of a type. */
function ofType(s: SystemView, type: string): Resource | undefined {
  return s.definition?.resources.find((r) => one(r.properties.ResourceType) === type);
}

/** Bytes in one unit of a DSP0004 programmatic unit (`byte * 2^20`, `MegaBytes`), or undefined. */
export function unitBytes(units: string | undefined): number | undefined {
  if (units === undefined) return 1;
  const u = units.replace(/\s+/g, '').toLowerCase();
  const m = /^bytes?(?:\*2\^(\d+))?(?:\*10\^(\d+))?$/.exec(u);
  if (m) return 2 ** Number(m[1] ?? 0) * 10 ** Number(m[2] ?? 0);
  const named: Record<string, number> = { kilobytes: 2 ** 10, megabytes: 2 ** 20, gigabytes: 2 ** 30 };
  return named[u];
}

/** A size in bytes as people read it: `64 MiB`, `2 GiB`. */
export function formatBytes(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${Number.isInteger(n) ? n : n.toFixed(1)} ${units[i]}`;
}

/** A quantity with its units, in bytes. */
export function bytesOf(r: Resource | undefined, quantity = 'VirtualQuantity'): number | undefined {
  const q = Number(one(r?.properties[quantity]));
  // VirtualQuantityUnits governs VirtualQuantity when given (CIM 2.41, DSP1047); OVF 1.x has AllocationUnits only.
  // A VirtualQuantityUnits that is no size (the MOF default `count`) is passed over, as the model does.
  const vqu = quantity === 'VirtualQuantity' ? one(r?.properties.VirtualQuantityUnits) : undefined;
  const unit =
    (vqu === undefined ? undefined : unitBytes(vqu)) ??
    unitBytes(
      one(r?.properties[quantity === 'VirtualQuantity' ? 'AllocationUnits' : `${quantity}AllocationUnits`]),
    );
  return Number.isFinite(q) && unit !== undefined ? q * unit : undefined;
}

/** The virtual CPUs of a system. */
export function vcpus(s: SystemView): number | undefined {
  const n = Number(one(ofType(s, '3')?.properties.VirtualQuantity));
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/** The memory of a system, in bytes. */
export function memoryBytes(s: SystemView): number | undefined {
  return bytesOf(ofType(s, '4'));
}

/** What a resource is and where it points, in a few words. */
export function describe(r: Resource): { kind: string; name: string; detail: string } {
  const p = r.properties;
  const type = one(p.ResourceType) ?? '';
  const parts: string[] = [];
  const add = (label: string, v: string | string[] | undefined) => {
    const text = Array.isArray(v) ? v.join(', ') : v;
    if (text !== undefined && text !== '') parts.push(`${label}: ${text}`);
  };
  if (type === '3') add('count', p.VirtualQuantity);
  else if (type === '4') parts.push(formatBytes(bytesOf(r)));
  add('type', p.ResourceSubType);
  add('image', p.HostResource);
  add('network', p.Connection);
  add('MAC', p.Address !== undefined && type === '10' ? p.Address : undefined);
  if (type !== '10') add('address', p.Address);
  add('on', p.Parent === undefined ? undefined : `#${one(p.Parent)} at ${one(p.AddressOnParent) ?? '?'}`);
  if (p.Limit !== undefined && type !== '3') add('limit', p.Limit);
  return {
    kind: RESOURCE_TYPES[type] ?? `Type ${type}`,
    name: one(p.ElementName) ?? '',
    detail: parts.join(' · '),
  };
}
