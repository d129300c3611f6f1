import {
  bytesOf,
  convert,
  type QuantityProperties,
  quantityOf,
  quantityProperties,
  type RasdProperties,
  type ResourceSetting,
  ResourceType,
  resourceTypeOf,
} from '../../model/index.js';

/**
 * Units as an OVF generation writes them, one rule for every writer: memory in MiB (`byte * 2^20`) whenever it is
 * a whole number of MiB, because virt-v2v, Proxmox and govmomi read a memory VirtualQuantity as MiB whatever its
 * units say (../shared/notes/ovf-tools.md); any other size (and memory that is not whole MiB) in the largest of
 * TiB, GiB, MiB, KiB, bytes that holds it exactly (`quantityProperties`). OVF 1.x writes AllocationUnits only (its
 * RASD XSD has no VirtualQuantityUnits, and readers take AllocationUnits for VirtualQuantity), OVF 2.x writes
 * VirtualQuantityUnits too. When the RASD also has a Reservation or Limit, AllocationUnits stays (it governs
 * those) and only VirtualQuantity is restated.
 */

/** The unit properties a size is written with, per generation. */
const STYLE = { '1': 'ovf1', '2': 'ovf2' } as const;

const MIB = 1n << 20n;

/** A whole number of MiB as memory is written. */
function inMib(bytes: bigint, gen: '1' | '2'): QuantityProperties {
  const unit = 'byte * 2^20';
  const out: QuantityProperties = { VirtualQuantity: String(bytes / MIB), AllocationUnits: unit };
  if (gen === '2') out.VirtualQuantityUnits = unit;
  return out;
}

/** What became of a RASD's numbers; `lost` is said to the user. */
interface QuantityResult {
  properties: RasdProperties;
  lost?: string;
}

/** The size in bytes of a RASD's VirtualQuantity, when it is one and reads exactly. */
function sizeOf(r: ResourceSetting): bigint | undefined {
  try {
    const q = quantityOf(r, 'VirtualQuantity');
    return q?.unit.base === 'byte' ? bytesOf(r) : undefined;
  } catch {
    return undefined; // the validator reports units that do not read; the writer keeps the text
  }
}

/**
 * A copy of a RASD's properties with its quantities written the generation's way. Processors and other counts
 * keep their text; in OVF 1.x a VirtualQuantityUnits that is not a size is left out (`lost` says so unless it is
 * `count`, which is what such a VirtualQuantity is anyway).
 *
 * @example
 * writeQuantities({ cimClass, properties: { ResourceType: '4', VirtualQuantity: '1', VirtualQuantityUnits: 'byte*2^30' } }, '1');
 * // { properties: { ResourceType: '4', VirtualQuantity: '1024', AllocationUnits: 'byte * 2^20' } }
 */
export function writeQuantities(r: ResourceSetting, gen: '1' | '2'): QuantityResult {
  const p: RasdProperties = structuredClone(r.properties);
  const bytes = sizeOf(r);
  const memory = resourceTypeOf(r) === ResourceType.Memory;
  const hasVqu = p.VirtualQuantityUnits !== undefined;
  if (bytes === undefined || (!memory && !hasVqu)) {
    if (gen === '2' || !hasVqu) return { properties: p };
    const vqu = p.VirtualQuantityUnits!;
    delete p.VirtualQuantityUnits;
    return vqu.trim().toLowerCase() === 'count'
      ? { properties: p }
      : { properties: p, lost: `VirtualQuantityUnits "${vqu}" has no place in an OVF 1.x Item; dropped` };
  }
  const written = memory && bytes % MIB === 0n ? inMib(bytes, gen) : quantityProperties(bytes, STYLE[gen]);
  if (p.Reservation === undefined && p.Limit === undefined) {
    delete p.VirtualQuantityUnits;
    return { properties: { ...p, ...written } };
  }
  // AllocationUnits governs Reservation and Limit: keep it, and restate VirtualQuantity in it when it is a size.
  const au = p.AllocationUnits?.trim();
  const inAu = au === undefined || au === '' ? undefined : restate(bytes, au);
  if (gen === '2') {
    if (inAu === undefined) return { properties: p };
    return { properties: { ...p, VirtualQuantity: inAu, VirtualQuantityUnits: au! } };
  }
  delete p.VirtualQuantityUnits;
  if (inAu !== undefined) return { properties: { ...p, VirtualQuantity: inAu } };
  return {
    properties: p,
    lost: `VirtualQuantity ${bytes} bytes cannot be written exactly in AllocationUnits "${au ?? ''}"; left as it was`,
  };
}

/** `bytes` in a unit given as text, when exact. */
function restate(bytes: bigint, unit: string): string | undefined {
  try {
    const c = convert(bytes, 'byte', unit);
    return c.exact ? String(c.value) : undefined;
  } catch {
    return undefined;
  }
}

/** How a Disk's capacity is written: the same rule as sizes, as `ovf:capacity` and `ovf:capacityAllocationUnits`. */
export function diskCapacity(bytes: bigint): { capacity: string; capacityAllocationUnits: string } {
  const q = quantityProperties(bytes, 'ovf1');
  return { capacity: q.VirtualQuantity!, capacityAllocationUnits: q.AllocationUnits! };
}
