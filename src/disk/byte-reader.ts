/**
 * Exact-length reads from an async stream of chunks (a file stream, a tar entry, a socket), with bounded buffering:
 * it holds at most the bytes of the current request plus one incoming chunk.
 */
export class ByteReader {
  private readonly chunks: Buffer[] = [];
  private buffered = 0;
  private ended = false;
  private readonly it: AsyncIterator<Buffer | Uint8Array | string>;
  /** Bytes consumed so far, i.e. the stream offset of the next byte returned. */
  position = 0;

  constructor(source: AsyncIterable<Buffer | Uint8Array | string>) {
    this.it = source[Symbol.asyncIterator]();
  }

  /** Buffers at least `n` bytes if the stream has them; returns how many are buffered (less only at the end). */
  async fill(n: number): Promise<number> {
    while (this.buffered < n && !this.ended) {
      const r = await this.it.next();
      if (r.done) {
        this.ended = true;
        break;
      }
      const v = r.value;
      const b = typeof v === 'string' ? Buffer.from(v) : Buffer.isBuffer(v) ? v : Buffer.from(v);
      if (b.length === 0) continue;
      this.chunks.push(b);
      this.buffered += b.length;
    }
    return Math.min(this.buffered, n);
  }

  /** Reads up to `n` bytes; the result is shorter only at the end of the stream. */
  async read(n: number): Promise<Buffer> {
    const have = await this.fill(n);
    return this.take(have);
  }

  /** Skips `n` bytes; returns how many were skipped (less only at the end of the stream). */
  async skip(n: number): Promise<number> {
    let left = n;
    while (left > 0) {
      const have = await this.fill(Math.min(left, 1 << 20));
      if (have === 0) break;
      this.take(have, true);
      left -= have;
    }
    return n - left;
  }

  /** True when every byte has been consumed and the stream has ended. */
  async atEnd(): Promise<boolean> {
    return (await this.fill(1)) === 0;
  }

  /** Stops reading: lets the source clean up (closes a file stream). */
  async close(): Promise<void> {
    this.chunks.length = 0;
    this.buffered = 0;
    if (!this.ended) {
      this.ended = true;
      await this.it.return?.();
    }
  }

  private take(n: number, discard = false): Buffer {
    this.position += n;
    this.buffered -= n;
    const first = this.chunks[0];
    if (first && first.length >= n) {
      const out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return out;
    }
    const out = discard ? EMPTY : Buffer.allocUnsafe(n);
    let off = 0;
    while (off < n) {
      const c = this.chunks[0]!;
      const k = Math.min(c.length, n - off);
      if (!discard) c.copy(out, off, 0, k);
      off += k;
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    return out;
  }
}

const EMPTY = Buffer.alloc(0);
