import { createHash, type Hash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { DigestAlgorithm } from './manifest.js';

/** Digests by algorithm, lower-case hex. */
export type Digests = Partial<Record<DigestAlgorithm, string>>;

/** Several hashes of one byte stream, fed together. */
export class MultiHash {
  private readonly hashes: Array<[DigestAlgorithm, Hash]>;

  constructor(algorithms: Iterable<DigestAlgorithm>) {
    this.hashes = [...new Set(algorithms)].map((a) => [a, createHash(a)]);
  }

  /** True when no algorithm is asked for (nothing to compute). */
  get empty(): boolean {
    return this.hashes.length === 0;
  }

  update(chunk: Uint8Array): void {
    for (const [, h] of this.hashes) h.update(chunk);
  }

  digests(): Digests {
    const out: Digests = {};
    for (const [a, h] of this.hashes) out[a] = h.digest('hex');
    return out;
  }
}

/** Digests of a buffer. */
export function digestBuffer(data: Uint8Array, algorithms: Iterable<DigestAlgorithm>): Digests {
  const h = new MultiHash(algorithms);
  h.update(data);
  return h.digests();
}

/** Digests of `length` bytes of a file from `offset`, read in large blocks. */
export async function digestFileRange(
  path: string,
  offset: number,
  length: number,
  algorithms: Iterable<DigestAlgorithm>,
): Promise<Digests> {
  const h = new MultiHash(algorithms);
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(Math.min(4 * 1024 * 1024, Math.max(length, 1)));
    let done = 0;
    while (done < length) {
      const want = Math.min(buf.length, length - done);
      const { bytesRead } = await fh.read(buf, 0, want, offset + done);
      if (bytesRead === 0) throw new Error(`${path} ended at ${offset + done} while re-reading a member`);
      h.update(buf.subarray(0, bytesRead));
      done += bytesRead;
    }
  } finally {
    await fh.close();
  }
  return h.digests();
}
