/** The guest data of a source image, read in ascending chunks by the streamOptimized encoder. */
import type { ImageFile } from './file-io.js';

/** Guest data of an image, read in ascending chunks. */
export interface BlockSource {
  /** Size of the virtual disk in bytes. */
  readonly virtualSize: number;
  /** Reads `length` bytes at `offset`; null means the whole range is unallocated (reads as zeros). */
  read(offset: number, length: number): Promise<Buffer | null>;
  close(): Promise<void>;
}

/** A raw image file read as is. */
export class RawSource implements BlockSource {
  readonly virtualSize: number;

  constructor(
    private readonly file: ImageFile,
    private readonly cleanup?: () => Promise<void>,
  ) {
    this.virtualSize = file.size;
  }

  async read(offset: number, length: number): Promise<Buffer> {
    const buf = Buffer.allocUnsafeSlow(length);
    const n = await this.file.readInto(buf, offset);
    if (n < length) buf.fill(0, n);
    return buf;
  }

  async close(): Promise<void> {
    await this.file.close();
    await this.cleanup?.();
  }
}
