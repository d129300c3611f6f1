import { describe, expect, it } from 'vitest';
import {
  parseQualifiers,
  propertyType,
  propertyValueError,
  qualifierTypeError,
  qualifierViolation,
} from './qualifiers.js';

const t = (type: string) => {
  const r = propertyType(type);
  if (r === undefined) throw new Error(`no type ${type}`);
  return r;
};

describe('propertyType()', () => {
  it('knows the CIM types and marks vendor aliases and other cases', () => {
    expect(t('uint32')).toMatchObject({ cim: 'uint32', kind: 'uint', bits: 32, alias: false });
    expect(t('int')).toMatchObject({ cim: 'sint32', alias: true });
    expect(t('real')).toMatchObject({ cim: 'real64', alias: true });
    expect(t('String')).toMatchObject({ cim: 'string', alias: true });
    expect(propertyType('nosuchtype')).toBeUndefined();
    expect(propertyType('')).toBeUndefined();
  });
});

describe('propertyValueError()', () => {
  it('checks integer ranges exactly, beyond what a double holds', () => {
    expect(propertyValueError(t('uint64'), '18446744073709551615')).toBeUndefined();
    expect(propertyValueError(t('uint64'), '18446744073709551616')).toMatch(/outside uint64/);
    expect(propertyValueError(t('sint64'), '-9223372036854775809')).toMatch(/outside sint64/);
    expect(propertyValueError(t('uint8'), '0x10')).toMatch(/not a whole number/);
  });

  it('checks booleans, reals, char16 and datetimes', () => {
    expect(propertyValueError(t('boolean'), 'FALSE')).toBeUndefined();
    expect(propertyValueError(t('boolean'), 'no')).toBeDefined();
    expect(propertyValueError(t('real64'), '-2.5E-3')).toBeUndefined();
    expect(propertyValueError(t('real64'), 'NaN')).toBeDefined();
    expect(propertyValueError(t('char16'), 'ab')).toBeDefined();
    expect(propertyValueError(t('datetime'), '00000001000000.000000:000')).toBeUndefined();
    expect(propertyValueError(t('datetime'), '2024-01-01')).toBeDefined();
    expect(propertyValueError(t('string'), 'anything at all')).toBeUndefined();
  });
});

describe('parseQualifiers()', () => {
  it('reads comma- and space-separated qualifiers with arguments and value maps', () => {
    expect(parseQualifiers('MinLen(1),MaxLen(64)')).toEqual([
      { name: 'MinLen', value: 1n },
      { name: 'MaxLen', value: 64n },
    ]);
    expect(parseQualifiers('MinValue(-1.5) MaxValue(10)')).toEqual([
      { name: 'MinValue', value: '-1.5' },
      { name: 'MaxValue', value: '10' },
    ]);
    expect(parseQualifiers('ValueMap{"a, b", "c\\"d", 3, 5..7}')).toEqual([
      { name: 'ValueMap', values: ['a, b', 'c"d', '3', '5..7'] },
    ]);
    expect(parseQualifiers('Ip(Management)')).toEqual([{ name: 'Ip', arg: 'Management' }]);
    expect(parseQualifiers('Netmask')).toEqual([{ name: 'Netmask' }]);
  });

  it('names what is wrong in qualifiers it cannot read', () => {
    expect(() => parseQualifiers('MinLen(1')).toThrow(/not closed/);
    expect(() => parseQualifiers('ValueMap{"a"')).toThrow(/not closed/);
    expect(() => parseQualifiers('ValueMap{"a}')).toThrow(/not closed/);
    expect(() => parseQualifiers('MaxLen(-3)')).toThrow(/whole number/);
    expect(() => parseQualifiers('(1)')).toThrow(/unexpected/);
  });
});

describe('qualifierViolation() and qualifierTypeError()', () => {
  it('measures length in characters, not UTF-16 units or bytes', () => {
    const [maxLen] = parseQualifiers('MaxLen(2)');
    expect(qualifierViolation(t('string'), maxLen!, '日本')).toBeUndefined();
    expect(qualifierViolation(t('string'), maxLen!, '😀😀')).toBeUndefined();
    expect(qualifierViolation(t('string'), maxLen!, 'abc')).toMatch(/more than MaxLen\(2\)/);
  });

  it('matches integer ValueMap ranges and exact strings', () => {
    const [vm] = parseQualifiers('ValueMap{1, 4..6, 10..}');
    for (const ok of ['1', '5', '6', '99'])
      expect(qualifierViolation(t('uint8'), vm!, ok), ok).toBeUndefined();
    for (const bad of ['2', '7', '9']) expect(qualifierViolation(t('uint8'), vm!, bad), bad).toBeDefined();
    const [names] = parseQualifiers('ValueMap{"small"}');
    expect(qualifierViolation(t('string'), names!, 'Small')).toBeDefined();
  });

  it('refuses length qualifiers on numbers and value qualifiers on strings', () => {
    expect(qualifierTypeError(t('uint8'), { name: 'MaxLen', value: 1n })).toMatch(/strings/);
    expect(qualifierTypeError(t('string'), { name: 'MaxValue', value: '1' })).toMatch(/numbers/);
    expect(qualifierTypeError(t('real32'), { name: 'MaxValue', value: '1' })).toBeUndefined();
  });
});
