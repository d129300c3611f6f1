import { ModelError } from '../errors.js';
import { type ProgrammaticUnit, parseProgrammaticUnit } from './punit.js';

/** A unit as text or already parsed. */
export type UnitLike = string | ProgrammaticUnit;

const parsed = (u: UnitLike): ProgrammaticUnit => (typeof u === 'string' ? parseProgrammaticUnit(u) : u);

/** The unit's dimension as one comparable string: base plus qualifier, lower case. */
function dimension(u: ProgrammaticUnit): string {
  return u.qualifier === undefined ? u.base : `${u.base}(${u.qualifier.toLowerCase()})`;
}

/** True when values in `a` and `b` measure the same thing (same base and qualifier), so they convert. */
export function sameDimension(a: UnitLike, b: UnitLike): boolean {
  return dimension(parsed(a)) === dimension(parsed(b));
}

/** The outcome of a conversion: the value in the target unit, and whether it is exact. */
export interface Converted {
  value: bigint;
  /** False when the value was rounded (down, or up when asked) because it is not a whole number of `to`. */
  exact: boolean;
}

/**
 * Converts a whole number of `from` units to `to` units, exactly when the result is whole, else rounded (down by
 * default, up for consumption sums) and marked inexact. Throws {@link ModelError} `MODEL_UNITS` when the units
 * measure different things (bytes and hertz, `count` and `count(fixed size block)`).
 *
 * @example
 * convert(1n, 'byte*2^30', 'byte * 2^20');           // { value: 1024n, exact: true }
 * convert(1536n, 'byte*2^10', 'byte*2^20');           // { value: 1n, exact: false }
 * convert(1536n, 'byte*2^10', 'byte*2^20', 'up');     // { value: 2n, exact: false }
 */
export function convert(
  value: bigint,
  from: UnitLike,
  to: UnitLike,
  rounding: 'down' | 'up' = 'down',
): Converted {
  const f = parsed(from);
  const t = parsed(to);
  if (dimension(f) !== dimension(t)) {
    throw new ModelError(
      'MODEL_UNITS',
      `Cannot convert ${dimension(f)} to ${dimension(t)}: they measure different things`,
    );
  }
  const n = value * f.numerator * t.denominator;
  const d = f.denominator * t.numerator;
  const q = n / d;
  const exact = n % d === 0n;
  return { value: !exact && rounding === 'up' ? q + 1n : q, exact };
}

/**
 * Converts `value` in `unit` to an exact whole number of the base unit (bytes for `byte * 2^20`), or throws
 * {@link ModelError} `MODEL_UNITS` when the result is not whole or the base is not `expectedBase`.
 *
 * @example
 * toBaseUnits(512n, 'byte * 2^20', 'byte'); // 536870912n
 */
export function toBaseUnits(value: bigint, unit: UnitLike, expectedBase?: string): bigint {
  const u = parsed(unit);
  const text = typeof unit === 'string' ? unit : spellUnit(u, 'cim');
  if (expectedBase !== undefined && u.base !== expectedBase) {
    throw new ModelError('MODEL_UNITS', `Unit "${text}" is in ${u.base}, expected ${expectedBase}`);
  }
  const n = value * u.numerator;
  if (n % u.denominator !== 0n) {
    throw new ModelError('MODEL_UNITS', `${value} × "${text}" is not a whole number of ${u.base}s`);
  }
  return n / u.denominator;
}

/**
 * The encoding a writer writes for. OVF 1.x and 2.x spell units with spaces (`byte * 2^20`: DSP0243's examples,
 * and the only spelling VirtualBox accepts), CIM without (`byte*2^20`: DSP0004's own form, what clients send).
 * OVF 1.x has no VirtualQuantityUnits (its RASD XSD lacks it); OVF 2.x and CIM carry it.
 */
export type UnitStyle = 'ovf1' | 'ovf2' | 'cim';

/** `e` when `n` is exactly `radix^e` with e > 1, else undefined. */
function powerOf(n: bigint, radix: bigint): number | undefined {
  let exp = 0;
  let m = n;
  while (m > 1n && m % radix === 0n) {
    m /= radix;
    exp++;
  }
  return m === 1n && exp > 1 ? exp : undefined;
}

/** A factor as `2^e`, `10^e` or a whole number. */
function factorText(n: bigint): string {
  const two = powerOf(n, 2n);
  if (two !== undefined) return `2^${two}`;
  const ten = powerOf(n, 10n);
  return ten === undefined ? String(n) : `10^${ten}`;
}

/**
 * Writes a unit in DSP0004 form: the base, then the factor as a power of 2 or of 10, or as a whole number. Plural and legacy spellings come out as DSP0004 (`MegaBytes` → `byte * 2^20`).
 *
 * @example
 * spellUnit(parseProgrammaticUnit('MB'), 'ovf1');         // 'byte * 2^20'
 * spellUnit(parseProgrammaticUnit('MHz'), 'cim');         // 'hertz*10^6'
 * spellUnit(parseProgrammaticUnit('count(fixed size block)'), 'cim'); // 'count(fixed size block)'
 */
export function spellUnit(u: ProgrammaticUnit, style: UnitStyle): string {
  const sep = style === 'cim' ? '' : ' ';
  let s = u.qualifier === undefined ? u.base : `${u.base}(${u.qualifier})`;
  if (u.numerator !== 1n) s += `${sep}*${sep}${factorText(u.numerator)}`;
  if (u.denominator !== 1n) s += `${sep}/${sep}${factorText(u.denominator)}`;
  return s;
}

/** The DSP0004 spelling of bytes times a power of two: `byte`, `byte * 2^10`, ... */
export function byteUnit(power2: 0 | 10 | 20 | 30 | 40, style: UnitStyle = 'ovf1'): string {
  if (power2 === 0) return 'byte';
  return style === 'cim' ? `byte*2^${power2}` : `byte * 2^${power2}`;
}
