import { ModelError } from '../errors.js';
import { ResourceType } from '../resource-type.js';
import type { RasdProperties, ResourceSetting } from '../settings.js';
import { spellUnit, type UnitStyle } from './convert.js';
import { parseUint } from './format.js';
import { type ProgrammaticUnit, parseProgrammaticUnit } from './punit.js';

/** The numbers of a RASD that carry a unit. */
export type QuantityProperty = 'VirtualQuantity' | 'Reservation' | 'Limit';

/** Which property (or default) gave a quantity its unit. */
export type UnitSource =
  | 'VirtualQuantityUnits'
  | 'AllocationUnits'
  | 'VirtualResourceBlockSize'
  | 'HostResourceBlockSize'
  | 'default';

/** A number of a RASD with the unit that governs it, exactly as the rules of {@link quantityOf} decide. */
export interface Quantity {
  value: bigint;
  unit: ProgrammaticUnit;
  from: UnitSource;
  /** A trap the reading went around (a `count` VirtualQuantityUnits on memory, ...): validators report it. */
  finding?: string;
}

/** ResourceTypes whose VirtualQuantity is a size (memory, disks, extents, volumes). */
const BYTE_TYPES: ReadonlySet<number> = new Set([
  ResourceType.Memory,
  ResourceType.DiskDrive,
  ResourceType.StorageExtent,
  ResourceType.LogicalDisk,
  ResourceType.StorageVolume,
]);

const unit = (text: string): ProgrammaticUnit => parseProgrammaticUnit(text);
const MIB = unit('byte*2^20');
const BYTE = unit('byte');
const COUNT = unit('count');

/** What a VirtualQuantity of this setting counts: CPUs (`count`), bytes, or anything (undefined). */
function expectedBase(r: ResourceSetting): 'count' | 'byte' | undefined {
  if (r.cimClass === 'CIM_StorageAllocationSettingData') return 'byte';
  const rt = parseUint(r.properties.ResourceType);
  if (rt === undefined) return undefined;
  if (rt === BigInt(ResourceType.Processor)) return 'count';
  return BYTE_TYPES.has(Number(rt)) ? 'byte' : undefined;
}

function wholeProperty(p: RasdProperties, name: string): bigint | undefined {
  const text = p[name];
  if (text === undefined || (typeof text === 'string' && text.trim() === '')) return undefined;
  const v = typeof text === 'string' ? parseUint(text) : undefined;
  if (v === undefined)
    throw new ModelError('MODEL_INVALID', `${name} "${String(text)}" is not a whole number`);
  return v;
}

/** `count(fixed size block)` × a block size property, as bytes; throws when the size is missing or zero. */
function blocks(r: ResourceSetting, sizeProperty: string, what: string): ProgrammaticUnit {
  const size = wholeProperty(r.properties, sizeProperty);
  if (size === undefined || size === 0n)
    throw new ModelError(
      'MODEL_UNITS',
      `${what} is counted in fixed size blocks, but ${sizeProperty} gives no block size`,
      { hint: `Give ${sizeProperty} in bytes, or write the unit as "byte".` },
    );
  return { base: 'byte', numerator: size, denominator: 1n, spelling: 'dsp0004' };
}

const isBlockCount = (u: ProgrammaticUnit) =>
  u.base === 'count' && u.qualifier?.toLowerCase() === 'fixed size block';

const fits = (u: ProgrammaticUnit, base: 'count' | 'byte' | undefined) =>
  base === undefined || (u.base === base && (base === 'byte' || u.qualifier === undefined));

/** The unit that governs VirtualQuantity (see {@link quantityOf}), with where it came from. */
function virtualQuantityUnit(r: ResourceSetting): Omit<Quantity, 'value'> {
  const p = r.properties;
  const base = expectedBase(r);
  let finding: string | undefined;
  const vqu = p.VirtualQuantityUnits?.trim();
  if (vqu) {
    const u = unit(vqu);
    if (isBlockCount(u) && base !== 'count')
      return {
        unit: blocks(r, 'VirtualResourceBlockSize', 'VirtualQuantity'),
        from: 'VirtualResourceBlockSize',
      };
    if (fits(u, base)) return { unit: u, from: 'VirtualQuantityUnits' };
    finding =
      u.base === 'count' && base === 'byte'
        ? `VirtualQuantityUnits "${vqu}" (the CIM default) cannot measure a size; read by AllocationUnits or the type's default`
        : `VirtualQuantityUnits "${vqu}" is in ${u.base}, but this VirtualQuantity is ${base === 'count' ? 'a count' : 'a size in bytes'}; ignored`;
  }
  const au = p.AllocationUnits?.trim();
  const withFinding = (q: Omit<Quantity, 'value'>) => (finding === undefined ? q : { ...q, finding });
  if (au) {
    const u = unit(au);
    // OVF 1.x has no VirtualQuantityUnits, so producers mean AllocationUnits for VirtualQuantity too; but a
    // processor's `hertz * 10^6` is its speed's unit and never scales its CPU count.
    if (fits(u, base) && !isBlockCount(u)) return withFinding({ unit: u, from: 'AllocationUnits' });
    if (base === 'byte' && finding === undefined)
      finding = `AllocationUnits "${au}" is not a size, so it gives Reservation and Limit only; VirtualQuantity is read in the type's default unit`;
  }
  const rt = parseUint(p.ResourceType);
  if (rt === BigInt(ResourceType.Memory)) return withFinding({ unit: MIB, from: 'default' });
  if (r.cimClass === 'CIM_StorageAllocationSettingData') {
    // SASD's default is count(fixed size block) × VirtualResourceBlockSize; without a block size, bytes.
    const size = wholeProperty(p, 'VirtualResourceBlockSize');
    return withFinding(
      size !== undefined && size > 0n
        ? { unit: blocks(r, 'VirtualResourceBlockSize', 'VirtualQuantity'), from: 'VirtualResourceBlockSize' }
        : { unit: BYTE, from: 'default' },
    );
  }
  return withFinding({ unit: base === 'byte' ? BYTE : COUNT, from: 'default' });
}

/**
 * A RASD number with the unit that governs it, or undefined when the property is absent. One rule for every
 * reader (memoryBytes, CIM devices and pools, validators):
 *
 * - VirtualQuantity: VirtualQuantityUnits (CIM_ResourceAllocationSettingData.mof, VirtualQuantityUnits); when
 *   absent, AllocationUnits if its base fits the ResourceType (OVF 1.x practice: its XSD has no
 *   VirtualQuantityUnits); else the type's default: Memory `byte*2^20` (DSP0243 examples), Processor `count`,
 *   SASD `count(fixed size block)` × VirtualResourceBlockSize or `byte` (CIM_StorageAllocationSettingData.mof).
 * - Reservation, Limit: AllocationUnits (RASD mof, AllocationUnits); a SASD's are blocks of
 *   HostResourceBlockSize; when absent, VirtualQuantity's unit.
 *
 * Two traps are read around, with a `finding`: a byte-valued RASD whose VirtualQuantityUnits is `count` (the MOF
 * default a client may send back) is read by AllocationUnits or the default; and a processor's AllocationUnits
 * (`hertz*10^6`) never scales its CPU count. Throws `MODEL_UNITS` on a unit that does not parse, `MODEL_INVALID`
 * on a number that is not whole.
 *
 * @example
 * quantityOf({ cimClass: 'CIM_ResourceAllocationSettingData',
 *   properties: { ResourceType: '4', VirtualQuantity: '1', VirtualQuantityUnits: 'byte*2^30' } }, 'VirtualQuantity');
 * // { value: 1n, unit: { base: 'byte', numerator: 1073741824n, ... }, from: 'VirtualQuantityUnits' }
 */
export function quantityOf(r: ResourceSetting, p: QuantityProperty): Quantity | undefined {
  const value = wholeProperty(r.properties, p);
  if (value === undefined) return undefined;
  if (p === 'VirtualQuantity') return { value, ...virtualQuantityUnit(r) };
  if (r.cimClass === 'CIM_StorageAllocationSettingData' && r.properties.HostResourceBlockSize !== undefined)
    return { value, unit: blocks(r, 'HostResourceBlockSize', p), from: 'HostResourceBlockSize' };
  const au = r.properties.AllocationUnits?.trim();
  if (au) return { value, unit: unit(au), from: 'AllocationUnits' };
  return { value, ...virtualQuantityUnit(r) };
}

/**
 * A RASD number in bytes, exactly (see {@link quantityOf} for which unit governs it), or undefined when the
 * property is absent. Throws `MODEL_UNITS` when the unit is not a size or the bytes are not whole.
 *
 * @example
 * bytesOf({ cimClass: 'CIM_ResourceAllocationSettingData',
 *   properties: { ResourceType: '4', VirtualQuantity: '512', AllocationUnits: 'byte * 2^20' } }); // 536870912n
 */
export function bytesOf(r: ResourceSetting, p: QuantityProperty = 'VirtualQuantity'): bigint | undefined {
  const q = quantityOf(r, p);
  if (q === undefined) return undefined;
  if (q.unit.base !== 'byte')
    throw new ModelError('MODEL_UNITS', `${p} ${q.value} is in ${spellUnit(q.unit, 'cim')}, not in bytes`);
  const n = q.value * q.unit.numerator;
  if (n % q.unit.denominator !== 0n)
    throw new ModelError(
      'MODEL_UNITS',
      `${p} ${q.value} × "${spellUnit(q.unit, 'cim')}" is not a whole number of bytes`,
    );
  return n / q.unit.denominator;
}

/** VirtualQuantity and its unit properties for a size, as a writer of one encoding puts them. */
export type QuantityProperties = Pick<
  RasdProperties,
  'VirtualQuantity' | 'AllocationUnits' | 'VirtualQuantityUnits'
>;

/**
 * How a writer gives a size: in the largest of GiB, MiB, KiB, bytes that holds it exactly. OVF 1.x writes
 * AllocationUnits only (its XSD has no VirtualQuantityUnits, so readers take AllocationUnits); OVF 2.x and CIM
 * write both, so a reader that follows VirtualQuantityUnits alone gets the same size.
 *
 * @example
 * quantityProperties(512n << 20n, 'ovf1'); // { VirtualQuantity: '512', AllocationUnits: 'byte * 2^20' }
 * quantityProperties(1n << 30n, 'cim');    // { VirtualQuantity: '1', AllocationUnits: 'byte*2^30', VirtualQuantityUnits: 'byte*2^30' }
 */
export function quantityProperties(bytes: bigint, style: UnitStyle): QuantityProperties {
  let power = 0n;
  for (const p of [40n, 30n, 20n, 10n]) {
    if (bytes > 0n && bytes % (1n << p) === 0n) {
      power = p;
      break;
    }
  }
  const u: ProgrammaticUnit = { base: 'byte', numerator: 1n << power, denominator: 1n, spelling: 'dsp0004' };
  const text = spellUnit(u, style);
  const out: QuantityProperties = { VirtualQuantity: String(bytes >> power), AllocationUnits: text };
  if (style !== 'ovf1') out.VirtualQuantityUnits = text;
  return out;
}
