import { VesselError, type VesselErrorOptions } from '../model/index.js';

/**
 * Error codes of the disk module.
 * - `DISK_CORRUPT`: the image breaks its format (bad marker, table out of range, LBA out of order, bad deflate data).
 * - `DISK_TRUNCATED`: the image ends before its structures say it should.
 * - `DISK_TOO_LARGE`: a header claims a size beyond the configured limit.
 * - `DISK_UNSUPPORTED`: a valid image using a feature this engine does not handle (e.g. an encrypted qcow2).
 * - `DISK_EXTERNAL_REFERENCE`: the image names another file (a backing file, a VMDK extent or parent, an external
 *   data file, a VHD/VHDX/VDI parent) and is refused: reading it would read a file its author chose.
 * - `DISK_ABORTED`: the operation was cancelled through its AbortSignal.
 * - `DISK_TOOL_FAILED`: `qemu-img` failed or is missing.
 * - `IO_DISK`: reading or writing a file failed (permissions, disk full).
 * - `FILE_NOT_FOUND`: the input does not exist.
 * - `USAGE_DISK`: a bad argument, such as an unknown target format or the same input and output file.
 */
export type DiskErrorCode =
  | 'DISK_CORRUPT'
  | 'DISK_TRUNCATED'
  | 'DISK_TOO_LARGE'
  | 'DISK_UNSUPPORTED'
  | 'DISK_EXTERNAL_REFERENCE'
  | 'DISK_ABORTED'
  | 'DISK_TOOL_FAILED'
  | 'IO_DISK'
  | 'FILE_NOT_FOUND'
  | 'USAGE_DISK';

/** Options of a {@link DiskError}: the byte offset in the image where the problem was found, when known. */
interface DiskErrorOptions extends VesselErrorOptions {
  offset?: number | undefined;
}

/** A disk image that cannot be read, written or converted. `offset` names the byte where the problem is. */
export class DiskError extends VesselError<DiskErrorCode> {
  /** Byte offset in the image (or the stream) where the problem was found. */
  readonly offset: number | undefined;

  constructor(code: DiskErrorCode, message: string, options: DiskErrorOptions = {}) {
    super(code, message, options);
    this.offset = options.offset;
  }
}

/** Formats a byte offset as `offset 1234 (0x4d2)` for error messages. */
function at(offset: number): string {
  return `offset ${offset} (0x${offset.toString(16)})`;
}

/** A `DISK_CORRUPT` error about `file` at `offset`; the message ends with the offset. */
export function corrupt(file: string, offset: number, what: string): DiskError {
  return new DiskError('DISK_CORRUPT', `${what} at ${at(offset)}`, { offset, location: { file } });
}

/** A `DISK_TRUNCATED` error: `file` ended at `offset` while `needed` was still expected. */
export function truncated(file: string, offset: number, needed: string): DiskError {
  return new DiskError('DISK_TRUNCATED', `The image ends at ${at(offset)}, before ${needed}`, {
    offset,
    location: { file },
  });
}

/** Wraps a Node file-system error as a {@link DiskError} (`FILE_NOT_FOUND` or `IO_DISK`). */
export function ioError(err: unknown, path: string, doing: string): DiskError {
  const e = err as NodeJS.ErrnoException;
  if (err instanceof DiskError) return err;
  if (e?.code === 'ENOENT')
    return new DiskError('FILE_NOT_FOUND', `Cannot ${doing} "${path}": no such file`, { cause: err });
  return new DiskError('IO_DISK', `Cannot ${doing} "${path}": ${e?.message ?? String(err)}`, { cause: err });
}

/** Throws `DISK_ABORTED` when the signal has fired. */
export function checkAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new DiskError('DISK_ABORTED', `${what} was cancelled`, { cause: signal.reason });
}
