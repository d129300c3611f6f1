import { type FileHandle, open } from 'node:fs/promises';
import { DiskError, ioError } from './errors.js';

/** An image file opened for positioned reads. */
export interface ImageFile {
  readonly path: string;
  /** Size of the file in bytes. */
  readonly size: number;
  /** Bytes the file occupies on the host file system (st_blocks × 512). */
  readonly allocated: number;
  /** Reads up to `length` bytes at `position`; the result is shorter only at the end of the file. */
  read(position: number, length: number): Promise<Buffer>;
  /** Reads into `buf` at `position`; returns the number of bytes read. */
  readInto(buf: Buffer, position: number): Promise<number>;
  close(): Promise<void>;
}

/** Opens an image for reading; a missing file throws `FILE_NOT_FOUND`, other failures `IO_DISK`. */
export async function openImage(path: string): Promise<ImageFile> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw ioError(err, path, 'open');
  }
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw new DiskError('IO_DISK', `Cannot read "${path}": it is a directory`);
    return new FileImage(path, fh, st.size, st.blocks * 512);
  } catch (err) {
    await fh.close();
    throw ioError(err, path, 'read');
  }
}

class FileImage implements ImageFile {
  constructor(
    readonly path: string,
    private readonly fh: FileHandle,
    readonly size: number,
    readonly allocated: number,
  ) {}

  async read(position: number, length: number): Promise<Buffer> {
    const len = Math.max(0, Math.min(length, this.size - position));
    const buf = Buffer.allocUnsafe(len);
    const n = await this.readInto(buf, position);
    return n === len ? buf : buf.subarray(0, n);
  }

  async readInto(buf: Buffer, position: number): Promise<number> {
    let done = 0;
    try {
      while (done < buf.length) {
        const { bytesRead } = await this.fh.read(buf, done, buf.length - done, position + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
    } catch (err) {
      throw ioError(err, this.path, 'read');
    }
    return done;
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}

/** Reads an unsigned 64-bit little-endian integer as a number (exact up to 2^53). */
export function u64le(buf: Buffer, off: number): number {
  return Number(buf.readBigUInt64LE(off));
}

/** Reads an unsigned 64-bit big-endian integer as a number (exact up to 2^53). */
export function u64be(buf: Buffer, off: number): number {
  return Number(buf.readBigUInt64BE(off));
}

/** True when every byte of `buf` is zero. Uses `Buffer.equals` against a shared zero page (~30 GB/s). */
export function isZero(buf: Buffer): boolean {
  let off = 0;
  while (off < buf.length) {
    const n = Math.min(ZERO.length, buf.length - off);
    if (!buf.subarray(off, off + n).equals(n === ZERO.length ? ZERO : ZERO.subarray(0, n))) return false;
    off += n;
  }
  return true;
}

const ZERO = Buffer.alloc(1 << 20);
