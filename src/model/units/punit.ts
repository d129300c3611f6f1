import { ModelError } from '../errors.js';
import { BASE_UNITS, LEGACY_UNITS, PREFIXES } from './names.js';

/**
 * DSP0004 programmatic units (Annex C.1), as OVF and CIM use them in `AllocationUnits`, `VirtualQuantityUnits`
 * and `ovf:capacityAllocationUnits`: `byte`, `byte * 2^20`, `bit / second * 10^3`, `hertz*10^6`, `kilobyte`,
 * `count(fixed size block)`, plus the plural (`bytes*10^3`, CIM's own example) and legacy names (`MegaBytes`,
 * `MB`) producers write. Factors are exact `bigint` fractions, so nothing is ever rounded.
 */

/** How a unit was written: DSP0004 exactly, with a plural base name (`bytes`), or a legacy name (`MegaBytes`). */
export type UnitSpelling = 'dsp0004' | 'plural' | 'legacy';

/** A parsed programmatic unit: a base (its dimension) and an exact factor numerator/denominator. */
export interface ProgrammaticUnit {
  /**
   * The base unit, lower case: `byte`, `hertz`, `count`. Several base units give a compound base written in
   * the order met, such as `bit/second` or `meter^2`.
   */
  base: string;
  /** A parenthesised qualifier of a single base unit: `fixed size block` for `count(fixed size block)`. */
  qualifier?: string;
  /** The exact factor by which a value is multiplied to get base units: numerator/denominator. */
  numerator: bigint;
  denominator: bigint;
  /** How it was spelled, so that validators can flag plural and legacy names without a second parser. */
  spelling: UnitSpelling;
}

/** Longest unit text accepted: real units are under 40 characters; this bounds work on hostile input. */
const MAX_UNIT_CHARS = 200;
/** Largest exponent accepted (2^200 and 10^-200 are far beyond any quantity, and cheap to compute). */
const MAX_EXPONENT = 200;

const fail = (text: string, why: string, hint?: string) =>
  new ModelError('MODEL_UNITS', `Unit "${text}": ${why}`, {
    hint: hint ?? 'Use a DSP0004 programmatic unit such as "byte * 2^20" (DSP0004 Annex C.1).',
  });

/** Splits on `*` and `/` outside parentheses; the first element has operator `*`. */
function elements(text: string, s: string): Array<{ op: '*' | '/'; term: string }> {
  const out: Array<{ op: '*' | '/'; term: string }> = [];
  let depth = 0;
  let op: '*' | '/' = '*';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (depth < 0) throw fail(text, 'a ")" has no "("');
    } else if ((c === '*' || c === '/') && depth === 0) {
      out.push({ op, term: s.slice(start, i).trim() });
      op = c;
      start = i + 1;
    }
  }
  if (depth !== 0) throw fail(text, 'a "(" is not closed');
  out.push({ op, term: s.slice(start).trim() });
  return out;
}

function exponentOf(text: string, e: string | undefined): number {
  if (e === undefined) return 1;
  const n = Number(e);
  if (Math.abs(n) > MAX_EXPONENT) throw fail(text, `the exponent ${e} is out of range`);
  return n;
}

/** An exact decimal such as `1.5` or `0.3048` as numerator/denominator. */
function decimal(digits: string): [bigint, bigint] {
  const [whole, frac = ''] = digits.split('.');
  return [BigInt(`${whole}${frac}`), 10n ** BigInt(frac.length)];
}

interface BaseRead {
  name: string;
  factor: [bigint, bigint];
  plural: boolean;
}

/** A base unit name, with an optional DSP0004 prefix and an optional plural `s`. */
function readBaseName(name: string): BaseRead | undefined {
  const plain = (n: string): { name: string; plural: boolean } | undefined => {
    if (BASE_UNITS.has(n)) return { name: n, plural: false };
    if (n.endsWith('s') && BASE_UNITS.has(n.slice(0, -1))) return { name: n.slice(0, -1), plural: true };
    return undefined;
  };
  const direct = plain(name);
  if (direct) return { ...direct, factor: [1n, 1n] };
  for (const p of PREFIXES) {
    if (!name.startsWith(p.name)) continue;
    const rest = plain(name.slice(p.name.length));
    if (!rest) continue;
    const f = p.radix ** BigInt(Math.abs(p.exponent));
    return { ...rest, factor: p.exponent < 0 ? [1n, f] : [f, 1n] };
  }
  return undefined;
}

const NUMBER = /^(\d{1,40}(?:\.\d{1,40})?)(?:\^([+-]?\d{1,4}))?$/;
const UNIT = /^([a-z][a-z ]*?)\s*(?:\(\s*([^()]*?)\s*\))?(?:\^([+-]?\d{1,4}))?$/i;

/**
 * Parses a programmatic unit exactly, or throws {@link ModelError} `MODEL_UNITS` naming what is wrong.
 * Spaces around operators and `^` are not significant (`byte * 2 ^ 20`, as DSP0243's examples write).
 *
 * @example
 * parseProgrammaticUnit('byte * 2^30');   // { base: 'byte', numerator: 1073741824n, denominator: 1n, spelling: 'dsp0004' }
 * parseProgrammaticUnit('bytes*10^3');    // { base: 'byte', numerator: 1000n, ..., spelling: 'plural' }
 * parseProgrammaticUnit('MegaBytes');     // { base: 'byte', numerator: 1048576n, ..., spelling: 'legacy' }
 * parseProgrammaticUnit('count(fixed size block)'); // { base: 'count', qualifier: 'fixed size block', ... }
 */
export function parseProgrammaticUnit(text: string): ProgrammaticUnit {
  if (text.length > MAX_UNIT_CHARS)
    throw fail(`${text.slice(0, 40)}…`, `longer than ${MAX_UNIT_CHARS} characters`);
  const s = text.trim().replace(/\s+/g, ' ');
  if (s === '') throw new ModelError('MODEL_UNITS', 'The unit is empty');
  const legacy = LEGACY_UNITS[s.toLowerCase()];
  if (legacy) return { base: legacy[0], numerator: legacy[1], denominator: 1n, spelling: 'legacy' };
  if (s.startsWith('-')) throw fail(text, 'a negative unit is not a quantity of anything');
  let num = 1n;
  let den = 1n;
  let plural = false;
  const dims: Array<{ key: string; name: string; qualifier: string | undefined; exp: number }> = [];
  for (const { op, term } of elements(text, s.replace(/\s*\^\s*/g, '^'))) {
    if (term === '') throw fail(text, `"${op}" has nothing on one side`);
    let f: [bigint, bigint];
    const n = NUMBER.exec(term);
    if (n) {
      const [a, b] = decimal(n[1]!);
      const e = exponentOf(text, n[2]);
      if (a === 0n) throw fail(text, 'it multiplies by zero');
      const pa = a ** BigInt(Math.abs(e));
      const pb = b ** BigInt(Math.abs(e));
      f = e < 0 ? [pb, pa] : [pa, pb];
    } else {
      const u = UNIT.exec(term);
      const base = u ? readBaseName(u[1]!.toLowerCase().trim()) : undefined;
      if (!u || !base) {
        throw fail(
          text,
          /^\d/.test(term)
            ? `"${term}" is not a number or a power such as 2^20`
            : `"${term}" is not a DSP0004 base unit`,
        );
      }
      const e = exponentOf(text, u[3]);
      plural ||= base.plural;
      const qualifier = u[2]?.replace(/\s+/g, ' ');
      const key = `${base.name}${qualifier === undefined ? '' : `(${qualifier.toLowerCase()})`}`;
      const signed = op === '/' ? -e : e;
      const d = dims.find((x) => x.key === key);
      if (d) d.exp += signed;
      else dims.push({ key, name: base.name, qualifier, exp: signed });
      const [a, b] = base.factor;
      f = e < 0 ? [b ** BigInt(-e), a ** BigInt(-e)] : [a ** BigInt(e), b ** BigInt(e)];
    }
    if (op === '/') f = [f[1], f[0]];
    num *= f[0];
    den *= f[1];
  }
  const live = dims.filter((d) => d.exp !== 0);
  if (live.length === 0) throw fail(text, 'it names no base unit');
  const single = live.length === 1 && live[0]!.exp === 1 ? live[0]! : undefined;
  const g = gcd(num, den);
  const unit: ProgrammaticUnit = {
    base: single ? single.name : compoundBase(live),
    numerator: num / g,
    denominator: den / g,
    spelling: plural ? 'plural' : 'dsp0004',
  };
  if (single?.qualifier !== undefined) unit.qualifier = single.qualifier;
  return unit;
}

function compoundBase(dims: Array<{ key: string; exp: number }>): string {
  const part = (d: { key: string; exp: number }) =>
    Math.abs(d.exp) === 1 ? d.key : `${d.key}^${Math.abs(d.exp)}`;
  const up = dims.filter((d) => d.exp > 0).map(part);
  const down = dims.filter((d) => d.exp < 0).map(part);
  return [up.length ? up.join('*') : '1', ...down].join('/');
}

/** Greatest common divisor of two positive bigints. */
export function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x === 0n ? 1n : x;
}
