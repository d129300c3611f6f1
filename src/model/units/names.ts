/**
 * The words of DSP0004 programmatic units (Annex C.1): base unit names, decimal and binary prefixes, and the
 * legacy names producers still write in AllocationUnits (`MegaBytes`, `MB`, `MHz`).
 */

/** DSP0004 Annex C.1 base units, lower case (the multi-word ones keep their single spaces). */
export const BASE_UNITS: ReadonlySet<string> = new Set([
  // dimensionless and data
  'percent',
  'permille',
  'count',
  'revolution',
  'degree',
  'radian',
  'steradian',
  'bit',
  'byte',
  'dataword',
  'doubleword',
  'quadword',
  'word',
  'msu',
  // length, volume, mass, time
  'meter',
  'inch',
  'rack unit',
  'foot',
  'yard',
  'mile',
  'liter',
  'fluid ounce',
  'liquid gallon',
  'mole',
  'kilogram',
  'gram',
  'ounce',
  'pound',
  'second',
  'minute',
  'hour',
  'day',
  'week',
  'hertz',
  // physics
  'gravity',
  'degree celsius',
  'degree fahrenheit',
  'kelvin',
  'candela',
  'lumen',
  'nit',
  'lux',
  'newton',
  'pascal',
  'bar',
  'decibel',
  'joule',
  'watt',
  'volt ampere',
  'volt ampere reactive',
  'british thermal unit',
  'ampere',
  'coulomb',
  'volt',
  'farad',
  'ohm',
  'siemens',
  'weber',
  'tesla',
  'henry',
  'becquerel',
  'gray',
  'sievert',
  // counted things producers use with `count` semantics
  'block',
  'clock tick',
  'cycle',
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
]);

/** DSP0004 C.1 decimal prefixes and their powers of ten. */
const DECIMAL_PREFIXES: ReadonlyArray<[string, number]> = [
  ['deca', 1],
  ['hecto', 2],
  ['kilo', 3],
  ['mega', 6],
  ['giga', 9],
  ['tera', 12],
  ['peta', 15],
  ['exa', 18],
  ['zetta', 21],
  ['yotta', 24],
  ['deci', -1],
  ['centi', -2],
  ['milli', -3],
  ['micro', -6],
  ['nano', -9],
  ['pico', -12],
  ['femto', -15],
  ['atto', -18],
  ['zepto', -21],
  ['yocto', -24],
];

/** DSP0004 C.1 binary prefixes (IEC 80000-13) and their powers of two. */
const BINARY_PREFIXES: ReadonlyArray<[string, number]> = [
  ['kibi', 10],
  ['mebi', 20],
  ['gibi', 30],
  ['tebi', 40],
  ['pebi', 50],
  ['exbi', 60],
  ['zebi', 70],
  ['yobi', 80],
];

/** A prefix as an exact radix and exponent: `kilo` is 10^3, `kibi` 2^10. */
interface UnitPrefix {
  name: string;
  radix: bigint;
  exponent: number;
}

/** Every DSP0004 prefix, longest first so that `deca` is tried before `deci` cannot shadow it. */
export const PREFIXES: readonly UnitPrefix[] = [
  ...DECIMAL_PREFIXES.map(([name, exponent]) => ({ name, radix: 10n, exponent })),
  ...BINARY_PREFIXES.map(([name, exponent]) => ({ name, radix: 2n, exponent })),
].sort((a, b) => b.name.length - a.name.length);

/**
 * Names that are not DSP0004 programmatic units but that producers write (cimtest's `MegaBytes`, VMware's `MB`,
 * `MHz`). The byte ones are binary: `MegaBytes` from these producers means 2^20 bytes, not DSP0004's 10^6.
 */
export const LEGACY_UNITS: Readonly<Record<string, readonly [string, bigint]>> = {
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
};
