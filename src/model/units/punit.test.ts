import { describe, expect, it } from 'vitest';
import { ModelError } from '../errors.js';
import { byteUnit, convert, sameDimension, spellUnit, toBaseUnits } from './convert.js';
import { type ProgrammaticUnit, parseProgrammaticUnit } from './punit.js';

const p = parseProgrammaticUnit;
const factor = (u: ProgrammaticUnit) => [u.base, u.numerator, u.denominator, u.spelling];

describe('parseProgrammaticUnit() (DSP0004 Annex C.1)', () => {
  it('reads the spellings producers write, with or without spaces around * and ^', () => {
    for (const text of ['byte * 2^20', 'byte*2^20', 'byte * 2 ^ 20', 'byte*1024*1024', ' byte  *  2^20 ']) {
      expect(factor(p(text)), text).toEqual(['byte', 1n << 20n, 1n, 'dsp0004']);
    }
    expect(factor(p('hertz * 10^6'))).toEqual(['hertz', 1_000_000n, 1n, 'dsp0004']);
    expect(factor(p('Hertz*10^9'))).toEqual(['hertz', 1_000_000_000n, 1n, 'dsp0004']);
    expect(factor(p('count'))).toEqual(['count', 1n, 1n, 'dsp0004']);
  });

  it("reads CIM's own plural example bytes*10^3 (RASD mof, AllocationUnits) and says it is plural", () => {
    expect(factor(p('bytes*10^3'))).toEqual(['byte', 1000n, 1n, 'plural']);
    expect(factor(p('bits / seconds'))).toEqual(['bit/second', 1n, 1n, 'plural']);
  });

  it('reads decimal multipliers in every spacing and plural clients write (issue 11)', () => {
    for (const text of ['byte*10^6', 'bytes * 10 ^ 6', '\tbyte\t*\t10^6 ', 'byte*1000000', 'byte*10^3*10^3'])
      expect(factor(p(text))[1], text).toBe(1_000_000n);
    expect(factor(p('byte*10^+3'))).toEqual(['byte', 1000n, 1n, 'dsp0004']);
    expect(factor(p('KB'))).toEqual(['byte', 1024n, 1n, 'legacy']);
    expect(factor(p('byte*10^-3'))).toEqual(['byte', 1n, 1000n, 'dsp0004']);
  });

  it('refuses odd and hostile decimal units quickly, naming the part', () => {
    const started = Date.now();
    for (const [text, why] of [
      ['bytes*10^3.5', /"10\^3.5" is not a number/],
      ['byte×10^3', /not a DSP0004 base unit/],
      ['byte*10^^3', /is not a number/],
      ['byte*(10^3)', /not a DSP0004 base unit/],
      ['byte*10^201', /out of range/],
      [`byte*${'9'.repeat(41)}`, /is not a number/],
      [`byte${'*10^200'.repeat(29)}`, /longer than 200/],
    ] as const)
      expect(() => p(text), text).toThrow(why);
    // The largest accepted factors stay cheap: 40-digit bases to the power 200.
    const big = `byte*${'9'.repeat(40)}^200*${'9'.repeat(40)}^200`;
    expect(p(big).numerator > 10n ** 15000n).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('reads DSP0004 decimal and binary prefixes exactly: kilobyte is 10^3, kibibyte 2^10', () => {
    expect(factor(p('kilobyte'))).toEqual(['byte', 1000n, 1n, 'dsp0004']);
    expect(factor(p('kibibyte'))).toEqual(['byte', 1024n, 1n, 'dsp0004']);
    expect(factor(p('mebibyte'))).toEqual(['byte', 1n << 20n, 1n, 'dsp0004']);
    expect(factor(p('gigabyte'))).toEqual(['byte', 10n ** 9n, 1n, 'dsp0004']);
    expect(factor(p('yobibyte'))).toEqual(['byte', 1n << 80n, 1n, 'dsp0004']);
    expect(factor(p('megahertz'))).toEqual(['hertz', 10n ** 6n, 1n, 'dsp0004']);
    expect(factor(p('millisecond'))).toEqual(['second', 1n, 1000n, 'dsp0004']);
    expect(factor(p('megabits'))).toEqual(['bit', 10n ** 6n, 1n, 'plural']);
    // A base unit whose name starts like a prefix is the base unit, not a prefixed one.
    expect(factor(p('decibel'))).toEqual(['decibel', 1n, 1n, 'dsp0004']);
    expect(factor(p('minute'))).toEqual(['minute', 1n, 1n, 'dsp0004']);
  });

  it('keeps legacy names binary, as the producers who write them mean, and marks them legacy', () => {
    expect(factor(p('MegaBytes'))).toEqual(['byte', 1n << 20n, 1n, 'legacy']);
    expect(factor(p('KiloBytes'))).toEqual(['byte', 1n << 10n, 1n, 'legacy']);
    expect(factor(p('MB'))).toEqual(['byte', 1n << 20n, 1n, 'legacy']);
    expect(factor(p('GiB'))).toEqual(['byte', 1n << 30n, 1n, 'legacy']);
    expect(factor(p('MHz'))).toEqual(['hertz', 10n ** 6n, 1n, 'legacy']);
  });

  it('reads the parenthesised qualifier of count(fixed size block), the SASD default', () => {
    const u = p('count(fixed size block)');
    expect(u).toEqual({
      base: 'count',
      qualifier: 'fixed size block',
      numerator: 1n,
      denominator: 1n,
      spelling: 'dsp0004',
    });
    expect(p('count ( fixed  size block )').qualifier).toBe('fixed size block');
    expect(p('decibel(A)').qualifier).toBe('A');
    expect(sameDimension('count(fixed size block)', 'count')).toBe(false);
  });

  it('keeps fractions exact: negative exponents, division and decimals', () => {
    expect(factor(p('byte * 2^-3'))).toEqual(['byte', 1n, 8n, 'dsp0004']);
    expect(factor(p('byte / 2^3'))).toEqual(['byte', 1n, 8n, 'dsp0004']);
    expect(factor(p('meter * 0.3048'))).toEqual(['meter', 381n, 1250n, 'dsp0004']);
    expect(factor(p('bit / second * 10^3'))).toEqual(['bit/second', 1000n, 1n, 'dsp0004']);
    expect(factor(p('meter * meter'))).toEqual(['meter^2', 1n, 1n, 'dsp0004']);
    expect(factor(p('byte * byte / byte'))).toEqual(['byte', 1n, 1n, 'dsp0004']);
  });

  it('refuses what is not a unit with MODEL_UNITS, naming the part that is wrong', () => {
    const bad: Array<[string, RegExp]> = [
      ['', /empty/],
      ['   ', /empty/],
      ['furlong', /"furlong" is not a DSP0004 base unit/],
      ['byte * two^30', /"two\^30" is not a DSP0004 base unit/],
      ['byte * 2^9999', /exponent 9999 is out of range/],
      ['byte * 0', /multiplies by zero/],
      ['byte *', /nothing on one side/],
      ['2^20', /names no base unit/],
      ['byte / byte', /names no base unit/],
      ['-byte', /negative/],
      ['count(fixed size block', /not closed/],
      ['count)', /has no "\("/],
      ['MegaBobs', /"MegaBobs" is not a DSP0004 base unit/],
      [`byte${' * 2'.repeat(100)}`, /longer than 200 characters/],
    ];
    for (const [text, message] of bad) {
      let err: unknown;
      try {
        p(text);
      } catch (e) {
        err = e;
      }
      expect(err, text).toBeInstanceOf(ModelError);
      expect((err as ModelError).code, text).toBe('MODEL_UNITS');
      expect((err as ModelError).message, text).toMatch(message);
    }
  });
});

describe('convert(), toBaseUnits(), spellUnit()', () => {
  it('converts exactly, and says so when the value is not whole in the target unit', () => {
    expect(convert(1n, 'byte*2^30', 'byte * 2^20')).toEqual({ value: 1024n, exact: true });
    expect(convert(3n, 'bytes*10^3', 'byte')).toEqual({ value: 3000n, exact: true });
    expect(convert(1536n, 'kibibyte', 'byte*2^20')).toEqual({ value: 1n, exact: false });
    expect(convert(1536n, 'kibibyte', 'byte*2^20', 'up')).toEqual({ value: 2n, exact: false });
    expect(convert(2048n, 'kibibyte', 'byte*2^20', 'up')).toEqual({ value: 2n, exact: true });
    expect(convert(1n, 'kilobyte', 'kibibyte')).toEqual({ value: 0n, exact: false });
    expect(convert(5n, 'MHz', 'hertz')).toEqual({ value: 5_000_000n, exact: true });
  });

  it('refuses to convert between units that measure different things', () => {
    expect(() => convert(1n, 'byte', 'hertz')).toThrow(/Cannot convert byte to hertz/);
    expect(() => convert(1n, 'count(fixed size block)', 'count')).toThrow(/different things/);
  });

  it('toBaseUnits() refuses a fraction of a byte and a wrong base instead of rounding', () => {
    expect(toBaseUnits(512n, 'byte * 2^20', 'byte')).toBe(512n << 20n);
    expect(toBaseUnits(16n, 'byte * 2^-3', 'byte')).toBe(2n);
    expect(() => toBaseUnits(3n, 'byte * 2^-3', 'byte')).toThrow(/not a whole number of bytes/);
    expect(() => toBaseUnits(3n, 'hertz', 'byte')).toThrow(/is in hertz, expected byte/);
  });

  it('spells units as DSP0004 for OVF (spaces) and CIM (none), whatever spelling was read', () => {
    expect(spellUnit(p('MegaBytes'), 'ovf1')).toBe('byte * 2^20');
    expect(spellUnit(p('bytes*10^3'), 'cim')).toBe('byte*10^3');
    expect(spellUnit(p('MHz'), 'ovf2')).toBe('hertz * 10^6');
    expect(spellUnit(p('count(fixed size block)'), 'cim')).toBe('count(fixed size block)');
    expect(spellUnit(p('byte*1536'), 'cim')).toBe('byte*1536');
    expect(spellUnit(p('byte * 2^-3'), 'ovf1')).toBe('byte / 2^3');
    expect(spellUnit(p('byte'), 'cim')).toBe('byte');
    expect(byteUnit(30)).toBe('byte * 2^30');
    expect(byteUnit(20, 'cim')).toBe('byte*2^20');
    for (const text of ['byte * 2^20', 'hertz * 10^6', 'byte * 10^3', 'count', 'byte * 1536']) {
      expect(spellUnit(p(text), 'ovf1')).toBe(text);
    }
  });
});
