import { type ProgrammaticUnit, parseProgrammaticUnit, spellUnit } from '../../model/index.js';
import type { Located } from '../types.js';
import type { ValidationContext } from './context.js';

/** The result of reading a unit: the exact unit, or why it is not one. */
type UnitRead = { ok: true; unit: ProgrammaticUnit } | { ok: false; reason: string };

/**
 * Reads a DSP0004 programmatic unit exactly, with the model's one parser (spaces around `^`, as DSP0243's own
 * examples write `byte * 2 ^ 20`, are not significant).
 */
function readUnit(text: string): UnitRead {
  try {
    return { ok: true, unit: parseProgrammaticUnit(text) };
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * Checks a unit attribute or property: it parses, has the expected base, and is spelled as DSP0004 names units
 * (a legacy name such as `MegaBytes` or a plural base such as `bytes` is a warning). Returns the unit when it can
 * be used for arithmetic.
 */
export function checkUnit(
  ctx: ValidationContext,
  at: Located | undefined,
  what: string,
  text: string,
  base: 'byte' | 'hertz' | 'count',
): ProgrammaticUnit | undefined {
  const r = readUnit(text);
  if (!r.ok) {
    ctx.report(
      'OVF_UNITS_INVALID',
      at,
      `${what} "${text}" is not a DSP0004 programmatic unit: ${r.reason}`,
      base === 'byte'
        ? 'Write for example "byte * 2^20" (MiB) or "byte * 2^30" (GiB).'
        : base === 'hertz'
          ? 'Write "hertz * 10^6".'
          : 'Write "count".',
    );
    return undefined;
  }
  if (r.unit.base !== base || (base === 'count' && r.unit.qualifier !== undefined)) {
    ctx.report(
      'OVF_UNITS_WRONG_BASE',
      at,
      `${what} "${text}" is in ${r.unit.base}s, but it must be in ${base}s`,
      base === 'byte'
        ? 'Sizes are "byte * 2^N".'
        : base === 'hertz'
          ? 'Processor speeds are "hertz * 10^N".'
          : 'A processor VirtualQuantity counts CPUs: "count".',
    );
    return undefined;
  }
  if (r.unit.spelling !== 'dsp0004') {
    ctx.report(
      'OVF_UNITS_LEGACY',
      at,
      r.unit.spelling === 'legacy'
        ? `${what} "${text}" is a legacy unit name, not a DSP0004 programmatic unit`
        : `${what} "${text}" uses a plural base name; DSP0004 names base units in the singular`,
      `Write "${spellUnit(r.unit, 'ovf1')}".`,
    );
  }
  return r.unit;
}

/**
 * `value` × `unit` in base units when that is a whole number; otherwise reports OVF_UNITS_INEXACT (a fraction of
 * a byte cannot be allocated, and rounding would silently change the size) and returns undefined.
 */
export function exactBaseUnits(
  ctx: ValidationContext,
  at: Located | undefined,
  what: string,
  value: bigint,
  unit: ProgrammaticUnit,
): bigint | undefined {
  const n = value * unit.numerator;
  if (n % unit.denominator === 0n) return n / unit.denominator;
  ctx.report(
    'OVF_UNITS_INEXACT',
    at,
    `${what} ${value} × "${spellUnit(unit, 'ovf1')}" is not a whole number of ${unit.base}s`,
    'Give the value in a unit that holds it exactly, such as "byte".',
  );
  return undefined;
}
