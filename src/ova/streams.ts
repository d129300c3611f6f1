import { open } from 'node:fs/promises';
import { Readable, type Transform } from 'node:stream';
import { ioError } from './errors.js';
import { READ_CHUNK } from './tar-read.js';

/**
 * Reads a file in large blocks, with the next read already under way while the consumer handles the current
 * block (so reading, hashing and writing overlap). Every block is a fresh buffer the consumer may keep.
 */
export async function* readFileChunks(path: string, blockSize = READ_CHUNK): AsyncGenerator<Buffer> {
  const fh = await open(path, 'r').catch((e: unknown) => {
    throw ioError(e, path);
  });
  let next: Promise<Buffer> | undefined;
  try {
    const readAt = (pos: number): Promise<Buffer> => {
      const b = Buffer.allocUnsafe(blockSize);
      return fh.read(b, 0, blockSize, pos).then((r) => b.subarray(0, r.bytesRead));
    };
    let pos = 0;
    next = readAt(0);
    for (;;) {
      const buf = await next;
      if (buf.length === 0) break;
      pos += buf.length;
      next = readAt(pos);
      yield buf;
    }
    next = undefined;
  } finally {
    await next?.catch(() => {});
    await fh.close();
  }
}

/** Runs a byte stream through a zlib transform (gzip, gunzip), propagating errors both ways. */
export async function* throughTransform(
  src: AsyncIterable<Uint8Array>,
  transform: Transform,
): AsyncGenerator<Buffer> {
  const input = Readable.from(src, { objectMode: false });
  input.on('error', (e) => transform.destroy(e));
  input.pipe(transform);
  try {
    for await (const c of transform) yield c as Buffer;
  } finally {
    input.unpipe(transform);
    input.destroy();
    transform.destroy();
  }
}

/**
 * An upper bound of the gzip size of `n` bytes: deflate falls back to stored blocks, which add 5 bytes per
 * 16 KiB at worst (zlib's deflateBound), plus the gzip header and trailer; rounded up generously.
 */
export function gzipBound(n: number): number {
  return n + Math.ceil(n / 1000) + 64 * 1024;
}
