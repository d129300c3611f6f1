import { FormatError } from '../errors.js';

/**
 * Kubernetes resource quantities (`1Gi`, `512Mi`, `1.5G`, `1073741824`) for memory and storage, exact in bytes.
 */

const SUFFIX: Record<string, bigint> = {
  '': 1n,
  k: 1000n,
  M: 10n ** 6n,
  G: 10n ** 9n,
  T: 10n ** 12n,
  P: 10n ** 15n,
  E: 10n ** 18n,
  Ki: 1n << 10n,
  Mi: 1n << 20n,
  Gi: 1n << 30n,
  Ti: 1n << 40n,
  Pi: 1n << 50n,
  Ei: 1n << 60n,
};

/**
 * Parses a byte quantity, or throws `FORMAT_INVALID` naming `what`: not a quantity, a fraction of a byte, negative.
 *
 * @example
 * quantityBytes('1.5Gi', 'memory.guest'); // 1610612736n
 */
export function quantityBytes(value: unknown, what: string): bigint {
  const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
  const m =
    typeof text === 'string' ? /^\s*(\d{1,30})(?:\.(\d{1,30}))?([kMGTPE]i?|Ki)?\s*$/.exec(text) : null;
  if (!m)
    throw new FormatError(
      'FORMAT_INVALID',
      `${what} is ${JSON.stringify(value)?.slice(0, 40)}, not a quantity such as 4Gi`,
    );
  const factor = SUFFIX[m[3] ?? ''];
  if (factor === undefined) throw new FormatError('FORMAT_INVALID', `${what}: unknown suffix "${m[3]}"`);
  const frac = m[2] ?? '';
  const scaled = BigInt(m[1]! + frac) * factor;
  const div = 10n ** BigInt(frac.length);
  if (scaled % div !== 0n)
    throw new FormatError('FORMAT_INVALID', `${what} is ${text}, not a whole number of bytes`);
  return scaled / div;
}

/** Writes bytes as the largest exact binary quantity: `8Gi`, `1536Mi`, or plain bytes. */
export function formatQuantity(bytes: bigint): string {
  for (const [s, f] of [
    ['Ti', 1n << 40n],
    ['Gi', 1n << 30n],
    ['Mi', 1n << 20n],
    ['Ki', 1n << 10n],
  ] as const) {
    if (bytes !== 0n && bytes % f === 0n) return `${bytes / f}${s}`;
  }
  return String(bytes);
}
