import type { CimValue, PropertySpec } from '../../src/model/index.js';

/** A CIM datetime (DSP0004 §5.2.4: yyyymmddhhmmss.mmmmmmsutc). */
const DATETIME = '20240102030405.000000+000';

/** A scalar sample of a property's CIM type, valid for the DMTF XSDs' restrictions (3 is in every ValueMap used). */
function scalar(p: PropertySpec, i: number): string {
  if (p.valueMap) return p.valueMap[(p.valueMap.length - 1 + i) % p.valueMap.length]!;
  if (p.unit === 'punit') return i === 0 ? 'byte*2^20' : 'byte*2^30';
  switch (p.type) {
    case 'boolean':
      return i === 0 ? 'true' : 'false';
    case 'uint8':
      return String(7 + i);
    case 'uint16':
      return String(3 + i);
    case 'uint32':
      return String(70_000 + i);
    case 'uint64':
      return String(5_000_000_000 + i);
    case 'datetime':
      return DATETIME;
    default:
      return `${p.name}-${i === 0 ? 'a' : 'b'}`;
  }
}

/**
 * A typed sample value of a property, in wire form (a list of two for an array property), distinct from its
 * neighbours so that a property read back in the wrong place shows.
 *
 * @example
 * sampleOf(spec('Firmware')); // 'efi'
 */
export function sampleOf(p: PropertySpec): CimValue {
  return p.array ? [scalar(p, 0), scalar(p, 1)] : scalar(p, 0);
}

/** Sample values for a list of properties, keyed by name. */
export function samples(specs: readonly PropertySpec[]): Record<string, CimValue> {
  return Object.fromEntries(specs.map((p) => [p.name, sampleOf(p)]));
}
