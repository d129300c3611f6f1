/**
 * Reads the guest data of a qcow2 image natively, for the streamOptimized encoder: standard, zero and
 * compressed (zlib) clusters of an image without backing file, encryption, external data file or extended L2.
 * Anything else is left to qemu-img (see sources.ts).
 */
import { inflateRawSync } from 'node:zlib';
import type { BlockSource } from './block-source.js';
import { corrupt } from './errors.js';
import type { ImageFile } from './file-io.js';
import {
  parseQcow2Header,
  QCOW_OFFSET_MASK,
  QCOW_OFLAG_COMPRESSED,
  type Qcow2Header,
  Qcow2Incompat,
  qcow2Geometry,
} from './qcow2.js';

/** Why the native reader declines an image (qemu-img handles it instead), or undefined when it can read it. */
export function qcow2NativeObstacle(h: Qcow2Header): string | undefined {
  if (h.version !== 2 && h.version !== 3) return `version ${h.version}`;
  if (h.backingFileOffset !== 0) return 'a backing file';
  if (h.cryptMethod !== 0) return 'encryption';
  if (h.clusterBits < 9 || h.clusterBits > 21) return `cluster_bits ${h.clusterBits}`;
  if (h.incompatible & ~(Qcow2Incompat.dirty | Qcow2Incompat.compressionType)) return 'incompatible features';
  if (h.compressionType !== 0) return 'zstd compression';
  if (h.l1Size * 8 > 64 << 20) return 'an L1 table over 64 MiB';
  return undefined;
}

/** A {@link BlockSource} over a qcow2 file the native reader accepts. */
export class Qcow2Source implements BlockSource {
  readonly virtualSize: number;
  private readonly cs: number;
  private readonly l2Entries: number;
  private readonly cache = new Map<number, Buffer>();

  private constructor(
    private readonly file: ImageFile,
    private readonly h: Qcow2Header,
    private readonly l1: Buffer,
  ) {
    this.virtualSize = h.size;
    const g = qcow2Geometry(h.clusterBits, h.size);
    this.cs = g.clusterSize;
    this.l2Entries = g.l2Entries;
  }

  /** Opens `file` as qcow2; the caller has checked {@link qcow2NativeObstacle}. */
  static async open(file: ImageFile): Promise<Qcow2Source> {
    const h = parseQcow2Header(await file.read(0, 4096));
    const l1 = await file.read(h.l1TableOffset, h.l1Size * 8);
    if (l1.length < h.l1Size * 8) throw corrupt(file.path, h.l1TableOffset, 'The L1 table is cut off');
    return new Qcow2Source(file, h, l1);
  }

  async read(offset: number, length: number): Promise<Buffer | null> {
    const out = Buffer.alloc(length);
    let any = false;
    let run: { host: number; dst: number; len: number } | undefined;
    const flush = async () => {
      if (!run) return;
      const n = await this.file.readInto(out.subarray(run.dst, run.dst + run.len), run.host);
      if (n === 0) throw corrupt(this.file.path, run.host, 'A data cluster lies past the end of the file');
      run = undefined;
    };
    for (let pos = offset; pos < offset + length; ) {
      const within = pos % this.cs;
      const n = Math.min(this.cs - within, offset + length - pos);
      const dst = pos - offset;
      const e = await this.entry(Math.floor(pos / this.cs));
      if (e !== 0n && (e & QCOW_OFLAG_COMPRESSED) !== 0n) {
        await flush();
        any = true;
        (await this.compressed(e)).copy(out, dst, within, within + n);
      } else {
        const host = Number(e & QCOW_OFFSET_MASK);
        const zero = this.h.version >= 3 && (e & 1n) === 1n;
        if (host !== 0 && !zero) {
          any = true;
          if (run && run.host + run.len === host + within && run.dst + run.len === dst) run.len += n;
          else {
            await flush();
            run = { host: host + within, dst, len: n };
          }
        }
      }
      pos += n;
    }
    await flush();
    return any ? out : null;
  }

  async close(): Promise<void> {
    await this.file.close();
  }

  private async entry(cluster: number): Promise<bigint> {
    const l1i = Math.floor(cluster / this.l2Entries);
    if (l1i >= this.h.l1Size) return 0n;
    const l2off = Number(this.l1.readBigUInt64BE(l1i * 8) & QCOW_OFFSET_MASK);
    if (l2off === 0) return 0n;
    let l2 = this.cache.get(l2off);
    if (!l2) {
      l2 = await this.file.read(l2off, this.cs);
      if (l2.length < this.cs) throw corrupt(this.file.path, l2off, 'An L2 table is cut off');
      if (this.cache.size >= 4) this.cache.delete(this.cache.keys().next().value as number);
      this.cache.set(l2off, l2);
    }
    return l2.readBigUInt64BE((cluster % this.l2Entries) * 8);
  }

  /** Inflates a compressed cluster (raw deflate; QEMU's descriptor encoding from docs/interop/qcow2.txt). */
  private async compressed(e: bigint): Promise<Buffer> {
    const x = BigInt(62 - (this.h.clusterBits - 8));
    const host = Number(e & ((1n << x) - 1n));
    const sectors = Number((e >> x) & ((1n << BigInt(this.h.clusterBits - 8)) - 1n)) + 1;
    const len = sectors * 512 - (host % 512);
    const data = await this.file.read(host, len);
    try {
      const out = inflateRawSync(data, { maxOutputLength: this.cs });
      if (out.length === this.cs) return out;
      return Buffer.concat([out, Buffer.alloc(this.cs - out.length)]);
    } catch (err) {
      throw corrupt(
        this.file.path,
        host,
        `A compressed cluster does not inflate (${(err as Error).message})`,
      );
    }
  }
}
