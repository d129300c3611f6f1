import { ModelError } from '../errors.js';

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
  const m = /^\s*(\d{1,30})\s*([KMGTP]?)(i?B)?\s*$/i.exec(text);
  if (!m)
    throw new ModelError('MODEL_UNITS', `"${text}" is not a size; write for example 256M, 2G or 1048576`);
  const shift = { '': 0n, K: 10n, M: 20n, G: 30n, T: 40n, P: 50n }[m[2]!.toUpperCase()] ?? 0n;
  return BigInt(m[1]!) << shift;
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

/**
 * Formats bytes for people, in binary units with at most one decimal: `0 B`, `256 MiB`, `1.5 GiB`, `3 MiB` for
 * 3.04 MiB. The one formatter of sizes (CLI listings, progress bars, validation messages).
 *
 * @example
 * formatBytes(256n << 20n); // '256 MiB'
 * formatBytes(1536);        // '1.5 KiB'
 */
export function formatBytes(bytes: bigint | number): string {
  let v = Number(bytes);
  let i = 0;
  while (Math.abs(v) >= 1024 && i < BYTE_UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  let tenths = Math.round(v * 10);
  if (Math.abs(tenths) >= 10240 && i < BYTE_UNITS.length - 1) {
    // 1023.96 KiB rounds to 1024.0: say 1 MiB instead.
    tenths = Math.round((v / 1024) * 10);
    i++;
  }
  const text = tenths % 10 === 0 ? String(tenths / 10) : (tenths / 10).toFixed(1);
  return `${text} ${BYTE_UNITS[i]}`;
}
