import type { SourceLocation } from '../model/index.js';
import { FormatError } from './errors.js';
import { printable } from './paths.js';

/** Limits every reader applies: far above any real virtual machine, far below what would overflow. */
export const LIMITS = {
  cpus: 4096,
  memoryBytes: 1n << 46n,
  diskBytes: 1n << 56n,
  devices: 256,
} as const;

/**
 * Reads a whole number from a native file, or throws `FORMAT_INVALID` saying which setting is wrong, why and where
 * (the model's `slotNumber` reads RASD text and never throws; this is the native readers' strict one).
 *
 * @example
 * readWholeNumber('4', 'numvcpus', 1n, 4096n); // 4n
 */
export function readWholeNumber(
  text: string | undefined,
  what: string,
  min: bigint,
  max: bigint,
  location?: SourceLocation,
): bigint {
  const t = (text ?? '').trim();
  if (!/^\d{1,30}$/.test(t)) {
    throw new FormatError('FORMAT_INVALID', `${what} is "${printable(t, 40)}", not a whole number`, {
      location,
    });
  }
  const v = BigInt(t);
  if (v < min || v > max) {
    throw new FormatError('FORMAT_INVALID', `${what} is ${t}, outside ${min}..${max}`, { location });
  }
  return v;
}

/** Like {@link readWholeNumber} but returns a JavaScript number (for counts and slots). */
export function readSmallNumber(
  text: string | undefined,
  what: string,
  min: number,
  max: number,
  location?: SourceLocation,
): number {
  return Number(readWholeNumber(text, what, BigInt(min), BigInt(max), location));
}
