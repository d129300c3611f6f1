import { randomBytes } from 'node:crypto';

/**
 * `n` random bytes for a raw disk image that every probe takes for raw. Random data starts with gzip's magic
 * (1f 8b) 1 time in 65,536, and src/disk's probe then reads it as a corrupt gzip file (an upload or a define
 * refuses it: "cannot be checked for references"). The first byte is 0, which no format it detects starts with; the
 * other magic numbers it looks for are 4 or more bytes long (1 in 2^32 or rarer).
 *
 * @example
 * writeFileSync(join(pool, 'disk.raw'), randomImageBytes(1 << 20));
 */
export function randomImageBytes(n: number): Buffer {
  const b = randomBytes(n);
  if (n > 0) b[0] = 0;
  return b;
}
