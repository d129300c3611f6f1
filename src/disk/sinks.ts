/**
 * Where decoded disk data goes: a sparse raw file, a qcow2 file (qcow2-writer.ts) or nowhere (verification).
 * Writes arrive in ascending offset order; zero ranges are simply never written.
 */
import { type FileHandle, open, rm } from 'node:fs/promises';
import { ioError } from './errors.js';

/** A destination for decoded data, written in ascending offset order. */
export interface GrainSink {
  /** Writes `data` at byte `offset` of the virtual disk. Offsets only grow. */
  write(offset: number, data: Buffer): Promise<void>;
  /** Completes the image for a virtual disk of `virtualSize` bytes and closes it. */
  finish(virtualSize: number): Promise<void>;
  /** Closes and deletes what was written. */
  abort(): Promise<void>;
}

/** Creates a sink for a virtual disk of the given size (known once the source header is read). */
export type SinkFactory = (virtualSize: number) => Promise<GrainSink>;

/**
 * Batches adjacent positioned writes into `writev` calls of up to 4 MiB, with one batch being written while the
 * next fills, so disk I/O overlaps the caller's work. Writes never overlap, so their order does not matter.
 */
export class CoalescingWriter {
  private bufs: Buffer[] = [];
  private start = 0;
  private len = 0;
  private inflight: Promise<void> | undefined;
  private failed: unknown;

  constructor(
    readonly fh: FileHandle,
    private readonly path: string,
    private readonly limit = 4 << 20,
  ) {}

  /** Queues `data` for `position`; starts writing the queue when it is full or `data` is not adjacent. */
  async write(position: number, data: Buffer): Promise<void> {
    if (this.len > 0 && position !== this.start + this.len) await this.send();
    if (this.len === 0) this.start = position;
    this.bufs.push(data);
    this.len += data.length;
    if (this.len >= this.limit) await this.send();
  }

  /** Writes everything queued and waits for it. */
  async flush(): Promise<void> {
    await this.send();
    await this.inflight;
    this.inflight = undefined;
    if (this.failed) throw this.failed;
  }

  /** Waits for the batch in flight, then starts writing the queued one without waiting for it. */
  private async send(): Promise<void> {
    await this.inflight;
    if (this.failed) throw this.failed;
    if (this.len === 0) return;
    const bufs = this.bufs;
    const pos = this.start;
    this.bufs = [];
    this.len = 0;
    this.inflight = this.writeAll(bufs, pos).catch((err) => {
      this.failed = ioError(err, this.path, 'write');
    });
  }

  private async writeAll(bufs: Buffer[], pos: number): Promise<void> {
    let rest = bufs;
    let at = pos;
    while (rest.length) {
      const { bytesWritten } = await this.fh.writev(rest, at);
      at += bytesWritten;
      rest = dropBytes(rest, bytesWritten);
    }
  }
}

function dropBytes(bufs: Buffer[], n: number): Buffer[] {
  let left = n;
  const out: Buffer[] = [];
  for (const b of bufs) {
    if (left >= b.length) left -= b.length;
    else {
      out.push(left ? b.subarray(left) : b);
      left = 0;
    }
  }
  return out;
}

/** An output opened for writing; `regular` is false for a block device or another special file. */
export interface OutputFile {
  path: string;
  fh: FileHandle;
  regular: boolean;
}

/** Creates (or truncates) an output file; a block device is written in place. */
export async function openOutput(path: string): Promise<OutputFile> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'w');
  } catch (err) {
    throw ioError(err, path, 'create');
  }
  const st = await fh.stat();
  return { path, fh, regular: st.isFile() };
}

/** Closes an output after a failure and deletes it when it is a regular file (never a device). */
export async function discardOutput(o: OutputFile): Promise<void> {
  await o.fh.close().catch(() => {});
  if (o.regular) await rm(o.path, { force: true });
}

/** A raw image: non-zero data written in place, the rest left as holes, the size set at the end. */
export class RawSink implements GrainSink {
  private readonly w: CoalescingWriter;

  private constructor(private readonly out: OutputFile) {
    this.w = new CoalescingWriter(out.fh, out.path);
  }

  /** Creates (or truncates) `path`; a block device is written in place and never deleted. */
  static async create(path: string): Promise<RawSink> {
    return new RawSink(await openOutput(path));
  }

  write(offset: number, data: Buffer): Promise<void> {
    return this.w.write(offset, data);
  }

  async finish(virtualSize: number): Promise<void> {
    try {
      await this.w.flush();
      if (this.out.regular) await this.out.fh.truncate(virtualSize);
    } catch (err) {
      throw ioError(err, this.out.path, 'write');
    }
    await this.out.fh.close();
  }

  abort(): Promise<void> {
    return discardOutput(this.out);
  }
}

/** Discards everything: used to verify a stream without writing it. */
export const nullSink: GrainSink = {
  write: async () => {},
  finish: async () => {},
  abort: async () => {},
};
