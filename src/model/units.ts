import { ModelError } from './errors.js';

/**
 * DSP0004 programmatic units (Annex C.1), as OVF uses them in `AllocationUnits` and `ovf:capacityAllocationUnits`:
 * `byte`, `byte * 2^20`, `bit * 10^3`, `hertz * 10^6`, and the legacy names producers still write (`MegaBytes`,
 * `MB`, `KiloBytes`, ...). Multipliers are exact `bigint`s, so nothing is rounded.
 */
export interface ProgrammaticUnit {
  /** The base unit, lower case: `byte`, `bit`, `hertz`, `count`, `percent`, ... */
  base: string;
  /** The exact factor by which a value is multiplied to get base units; a fraction is numerator/denominator. */
  numerator: bigint;
  denominator: bigint;
  /** True when the text used a legacy, non-DSP0004 spelling such as `MegaBytes`. */
  legacy: boolean;
}

const LEGACY: Record<string, [string, bigint]> = {
  bytes: ['byte', 1n],
  kb: ['byte', 1n << 10n],
  kilobytes: ['byte', 1n << 10n],
  kib: ['byte', 1n << 10n],
  mb: ['byte', 1n << 20n],
  megabytes: ['byte', 1n << 20n],
  mib: ['byte', 1n << 20n],
  gb: ['byte', 1n << 30n],
  gigabytes: ['byte', 1n << 30n],
  gib: ['byte', 1n << 30n],
  tb: ['byte', 1n << 40n],
  terabytes: ['byte', 1n << 40n],
  tib: ['byte', 1n << 40n],
  mhz: ['hertz', 10n ** 6n],
  ghz: ['hertz', 10n ** 9n],
  megahertz: ['hertz', 10n ** 6n],
  gigahertz: ['hertz', 10n ** 9n],
};

const BASES = new Set([
  'byte',
  'bit',
  'hertz',
  'count',
  'percent',
  'second',
  'meter',
  'watt',
  'ampere',
  'volt',
  'decibel',
  'kelvin',
  'candela',
  'mole',
  'gram',
  'joule',
  'newton',
  'pascal',
  'lux',
  'radian',
  'steradian',
  'ohm',
  'farad',
  'coulomb',
  'weber',
  'tesla',
  'henry',
  'siemens',
  'becquerel',
  'gray',
  'sievert',
  'lumen',
  'revolution',
  'degree',
  'minute',
  'hour',
  'day',
  'dataword',
  'decibel(a)',
  'decibel(c)',
  'block',
  'clock tick',
  'cycle',
  'word',
  'pixel',
  'character',
  'packet',
  'frame',
  'error',
  'interrupt',
  'page',
  'sector',
  'row',
  'line',
  'operation',
  'mouse',
]);

/**
 * Parses a programmatic unit exactly, or throws {@link ModelError} `MODEL_UNITS` naming what is wrong.
 *
 * @example
 * parseProgrammaticUnit('byte * 2^30'); // { base: 'byte', numerator: 1073741824n, denominator: 1n, legacy: false }
 * parseProgrammaticUnit('MegaBytes');   // { base: 'byte', numerator: 1048576n, denominator: 1n, legacy: true }
 */
export function parseProgrammaticUnit(text: string): ProgrammaticUnit {
  const s = text.trim();
  if (s === '') throw new ModelError('MODEL_UNITS', 'The unit is empty');
  const legacy = LEGACY[s.toLowerCase()];
  if (legacy) return { base: legacy[0], numerator: legacy[1], denominator: 1n, legacy: true };
  // Producers (and DSP0243's own example) write `byte * 2 ^ 20`; spaces around `^` are not significant.
  const tokens = s.replace(/\s*\^\s*/g, '^').split(/\s*([*/])\s*/);
  const base = (tokens[0] ?? '').toLowerCase();
  if (!BASES.has(base)) {
    throw new ModelError('MODEL_UNITS', `Unknown unit "${text}": "${tokens[0]}" is not a DSP0004 base unit`, {
      hint: 'Use a programmatic unit such as "byte * 2^20" (DSP0004 Annex C).',
    });
  }
  let num = 1n;
  let den = 1n;
  for (let i = 1; i < tokens.length; i += 2) {
    const op = tokens[i];
    const term = tokens[i + 1] ?? '';
    const m = /^(\d+)(?:\^(-?\d+))?$/.exec(term);
    if (!m)
      throw new ModelError(
        'MODEL_UNITS',
        `Unit "${text}": "${term}" is not a number or a power such as 2^20`,
      );
    const radix = BigInt(m[1]!);
    const exp = m[2] === undefined ? 1 : Number(m[2]);
    if (Math.abs(exp) > 200)
      throw new ModelError('MODEL_UNITS', `Unit "${text}": the exponent ${exp} is out of range`);
    const factor = radix ** BigInt(Math.abs(exp));
    let inverse = exp < 0;
    if (op === '/') inverse = !inverse;
    if (factor === 0n) throw new ModelError('MODEL_UNITS', `Unit "${text}" multiplies by zero`);
    if (inverse) den *= factor;
    else num *= factor;
  }
  return { base, numerator: num, denominator: den, legacy: false };
}

/**
 * Converts `value` in `unit` to an exact whole number of the base unit (bytes for `byte * 2^20`), or throws when
 * the result is not whole or the base is not `expectedBase`.
 *
 * @example
 * toBaseUnits(512n, 'byte * 2^20', 'byte'); // 536870912n
 */
export function toBaseUnits(value: bigint, unit: string, expectedBase?: string): bigint {
  const u = parseProgrammaticUnit(unit);
  if (expectedBase !== undefined && u.base !== expectedBase) {
    throw new ModelError('MODEL_UNITS', `Unit "${unit}" is in ${u.base}, expected ${expectedBase}`);
  }
  const n = value * u.numerator;
  if (n % u.denominator !== 0n) {
    throw new ModelError('MODEL_UNITS', `${value} ${unit} is not a whole number of ${u.base}s`);
  }
  return n / u.denominator;
}

/** The DSP0004 spelling of bytes times a power of two: `byte`, `byte * 2^10`, ... */
export function byteUnit(power2: 0 | 10 | 20 | 30 | 40): string {
  return power2 === 0 ? 'byte' : `byte * 2^${power2}`;
}

/**
 * Parses a whole number written in decimal (an OVF/CIM uint64), or returns undefined when the text is not one.
 */
export function parseUint(text: string | undefined): bigint | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  if (!/^\d+$/.test(t) || t.length > 40) return undefined;
  return BigInt(t);
}

/**
 * Parses a human size such as `256M`, `2G`, `512MiB`, `1024` (bytes) into bytes.
 *
 * @example
 * parseSize('256M'); // 268435456n
 */
export function parseSize(text: string): bigint {
  const m = /^\s*(\d+)\s*([KMGTP]?)(i?B)?\s*$/i.exec(text);
  if (!m)
    throw new ModelError('MODEL_UNITS', `"${text}" is not a size; write for example 256M, 2G or 1048576`);
  const shift = { '': 0n, K: 10n, M: 20n, G: 30n, T: 40n, P: 50n }[m[2]!.toUpperCase()] ?? 0n;
  return BigInt(m[1]!) << shift;
}

/** Formats bytes for people: `256 MiB`, `1.5 GiB`. */
export function formatBytes(bytes: bigint | number): string {
  const n = Number(bytes);
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : Number.isInteger(v) ? v : v.toFixed(1)} ${units[i]}`;
}
