import { describe, expect, it } from 'vitest';
import { formatBytes, parseSize, parseUint } from './format.js';

describe('formatBytes(): the one formatter of sizes', () => {
  it('writes binary units with at most one decimal, and no ".0"', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(5)).toBe('5 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(256n << 20n)).toBe('256 MiB');
    expect(formatBytes(300 * 2 ** 20)).toBe('300 MiB');
    expect(formatBytes(3n << 29n)).toBe('1.5 GiB');
    expect(formatBytes(3 * 2 ** 20 + 40 * 1024 + 1536)).toBe('3 MiB');
    expect(formatBytes(2 ** 31)).toBe('2 GiB');
    expect(formatBytes(1n << 40n)).toBe('1 TiB');
  });

  it('moves up a unit instead of writing 1024', () => {
    expect(formatBytes(1024 * 1024 - 1)).toBe('1 MiB');
    expect(formatBytes(1023)).toBe('1023 B');
  });
});

describe('parseSize() and parseUint()', () => {
  it('reads human sizes and whole numbers, and refuses the rest', () => {
    expect(parseSize('256M')).toBe(256n << 20n);
    expect(parseSize('2GiB')).toBe(2n << 30n);
    expect(parseSize('1024')).toBe(1024n);
    expect(() => parseSize('2.5G')).toThrow(/is not a size/);
    expect(() => parseSize('9'.repeat(40))).toThrow(/is not a size/);
    expect(parseUint(' 42 ')).toBe(42n);
    expect(parseUint('-1')).toBeUndefined();
    expect(parseUint('1e3')).toBeUndefined();
    expect(parseUint(undefined)).toBeUndefined();
  });
});
