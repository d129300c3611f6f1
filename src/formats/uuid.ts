import { createHash } from 'node:crypto';

/**
 * A UUID derived from a seed (SHA-1, laid out as an RFC 4122 version 5 UUID), so that writing the same definition
 * twice gives the same file: golden tests and diffs stay stable.
 *
 * @example
 * stableUuid('web1/disk/vmdisk1'); // always the same 8-4-4-4-12 string
 */
export function stableUuid(seed: string): string {
  const h = createHash('sha1').update(seed).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}
