import { type ProgrammaticUnit, parseProgrammaticUnit } from '../model/index.js';
import type { Located } from './types.js';
import type { ValidationContext } from './validate-context.js';

/** The result of reading a unit: the exact unit, or why it is not one. */
export type UnitRead = { ok: true; unit: ProgrammaticUnit } | { ok: false; reason: string };

/**
 * Reads a DSP0004 programmatic unit exactly. Spaces around `^` (`byte * 2 ^ 20`, as DSP0243's own examples and
 * many producers write) are read as `byte * 2^20`.
 */
export function readUnit(text: string): UnitRead {
  try {
    return { ok: true, unit: parseProgrammaticUnit(text.replace(/\s*\^\s*/g, '^')) };
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * Checks a unit attribute or property: it parses, has the expected base, and is not a legacy name. Returns the
 * unit when it can be used for arithmetic.
 */
export function checkUnit(
  ctx: ValidationContext,
  at: Located | undefined,
  what: string,
  text: string,
  base: 'byte' | 'hertz',
): ProgrammaticUnit | undefined {
  const r = readUnit(text);
  if (!r.ok) {
    ctx.report(
      'OVF_UNITS_INVALID',
      at,
      `${what} "${text}" is not a DSP0004 programmatic unit: ${r.reason}`,
      base === 'byte'
        ? 'Write for example "byte * 2^20" (MiB) or "byte * 2^30" (GiB).'
        : 'Write "hertz * 10^6".',
    );
    return undefined;
  }
  if (r.unit.base !== base) {
    ctx.report(
      'OVF_UNITS_WRONG_BASE',
      at,
      `${what} "${text}" is in ${r.unit.base}s, but it must be in ${base}s`,
      base === 'byte' ? 'Sizes are "byte * 2^N".' : 'Processor speeds are "hertz * 10^N".',
    );
    return undefined;
  }
  if (r.unit.legacy) {
    ctx.report(
      'OVF_UNITS_LEGACY',
      at,
      `${what} "${text}" is a legacy unit name, not a DSP0004 programmatic unit`,
      `Write "${programmaticSpelling(r.unit)}".`,
    );
  }
  return r.unit;
}

/** `value` × `unit` in base units, rounded down (exact for every unit producers write). */
export function inBaseUnits(value: bigint, unit: ProgrammaticUnit): bigint {
  return (value * unit.numerator) / unit.denominator;
}

/** The DSP0004 spelling of a unit that is its base times a power of 2 (bytes) or of 10 (anything else). */
function programmaticSpelling(u: ProgrammaticUnit): string {
  if (u.numerator === 1n && u.denominator === 1n) return u.base;
  const radix = u.base === 'byte' ? 2n : 10n;
  let n = u.numerator;
  let exp = 0;
  while (n % radix === 0n && n > 1n) {
    n /= radix;
    exp++;
  }
  return n === 1n && u.denominator === 1n ? `${u.base} * ${radix}^${exp}` : `${u.base} * ${u.numerator}`;
}
