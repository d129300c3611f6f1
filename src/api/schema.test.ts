import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { MAX_WAIT_MS, oneOf, Strict, Timestamp, UINT64_MAX, Uint64, WaitMs } from './schema.js';

describe('Uint64', () => {
  it('decodes decimal strings to bigint and encodes back', () => {
    expect(Value.Decode(Uint64, '0')).toBe(0n);
    expect(Value.Decode(Uint64, '18446744073709551615')).toBe(UINT64_MAX);
    expect(Value.Encode(Uint64, 1073741824n)).toBe('1073741824');
  });

  it('refuses signs, leading zeros, fractions, numbers, and values past 2^64-1', () => {
    for (const bad of [
      '-1',
      '+1',
      '01',
      '1.5',
      '1e3',
      '',
      ' 1',
      '0x10',
      '18446744073709551616',
      '999999999999999999999',
    ]) {
      expect(() => Value.Decode(Uint64, bad), bad).toThrow();
    }
    expect(() => Value.Decode(Uint64, 12)).toThrow();
    expect(() => Value.Encode(Uint64, -1n)).toThrow();
    expect(() => Value.Encode(Uint64, UINT64_MAX + 1n)).toThrow();
  });
});

describe('WaitMs', () => {
  it('writes "until done" as -1 and reads it back as Infinity', () => {
    expect(Value.Encode(WaitMs, Number.POSITIVE_INFINITY)).toBe(-1);
    expect(Value.Decode(WaitMs, -1)).toBe(Number.POSITIVE_INFINITY);
    expect(Value.Decode(WaitMs, 2000)).toBe(2000);
  });

  it('refuses other negatives, fractions and waits beyond a day', () => {
    for (const bad of [-2, 1.5, MAX_WAIT_MS + 1, '5', Number.NaN])
      expect(() => Value.Decode(WaitMs, bad)).toThrow();
    expect(() => Value.Encode(WaitMs, -5)).toThrow();
  });
});

describe('Timestamp', () => {
  it('accepts RFC 3339 date-times and refuses the rest', () => {
    expect(Value.Check(Timestamp, new Date(0).toISOString())).toBe(true);
    expect(Value.Check(Timestamp, '2026-12-02T13:42:00+01:00')).toBe(true);
    for (const bad of ['2026-12-02', '2026-12-02 13:42:00Z', 'yesterday', '2026-12-02T13:42:00']) {
      expect(Value.Check(Timestamp, bad), bad).toBe(false);
    }
  });
});

describe('Strict() and oneOf()', () => {
  it('refuses unknown properties, so a misspelt option is an error', () => {
    const S = Strict({ waitMs: Type.Optional(Type.Integer()) });
    expect(Value.Check(S, { waitMs: 5 })).toBe(true);
    expect(Value.Check(S, { waitMS: 5 })).toBe(false);
    expect([...Value.Errors(S, { waitMS: 5 })].map((e) => e.path)).toContain('/waitMS');
  });

  it('accepts exactly the listed strings', () => {
    const C = oneOf(['red', 'green'] as const);
    expect(Value.Check(C, 'red')).toBe(true);
    expect(Value.Check(C, 'blue')).toBe(false);
    expect(Value.Check(C, 'Red')).toBe(false);
  });
});
