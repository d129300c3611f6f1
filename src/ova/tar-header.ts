/**
 * ustar header blocks, encoded and decoded by tar-stream's own header codec.
 *
 * Why not `tar-stream`'s `pack()` stream for writing: its entries must declare their size before their data
 * (the header goes out first and the entry fails with "Size mismatch" otherwise). The OVA writer streams members
 * whose size is only known at their end (a disk converted to streamOptimized VMDK, a gzip-compressed file, the
 * last chunk of a chunked one) and then writes their header into the 512 bytes it left before them, with a
 * positional write. So the writer frames the archive itself (header block, data, zero padding to 512, two zero
 * blocks at the end) and takes each header block from tar-stream's codec, which `pack()` uses internally. That
 * codec is not in the package's `exports` map, so it is loaded by path from the installed tar-stream.
 *
 * Sizes of 8 GiB and more: an 11-digit octal size field stops at 8 GiB - 1. tar-stream then writes the size in
 * GNU base-256 form (first byte 0x80, big-endian binary in the remaining 11 bytes) inside the ustar header, and
 * reads it back; GNU tar, bsdtar and vSphere read that form. Vessel never writes pax headers (ovftool refuses
 * OVAs with them, since the pax pseudo-entry then precedes the descriptor).
 */
import { createRequire } from 'node:module';

/** The fields of one tar header that Vessel writes or reads. */
interface TarHeaderFields {
  name: string;
  size: number;
  mode?: number;
  mtime?: Date;
  type?: 'file';
}

/** What tar-stream's decoder returns for a header block. */
interface DecodedTarHeader {
  name: string;
  size: number;
  type: string | null;
  mode: number;
  mtime: Date;
  linkname: string | null;
}

interface TarStreamHeaders {
  encode(opts: Record<string, unknown>): Buffer | null;
  decode(buf: Buffer, filenameEncoding: string, allowUnknownFormat: boolean): DecodedTarHeader | null;
}

const requireHere = createRequire(import.meta.url);
const headers = createRequire(requireHere.resolve('tar-stream'))('./headers.js') as TarStreamHeaders;

/** Size of a tar block. */
export const BLOCK = 512;

/** Largest member size an OVA member may have here: Number.MAX_SAFE_INTEGER rounded down to a block. */
export const MAX_MEMBER_SIZE = Math.floor(Number.MAX_SAFE_INTEGER / BLOCK) * BLOCK;

/**
 * Encodes one ustar header block for a regular file (mode 0644, uid/gid 0, user/group "vessel"). Returns undefined
 * when the name would need a pax header; callers check names with `checkUstarName` first.
 */
export function encodeTarHeader(fields: TarHeaderFields): Buffer | undefined {
  if (!Number.isSafeInteger(fields.size) || fields.size < 0 || fields.size > MAX_MEMBER_SIZE) {
    throw new RangeError(`Cannot write a tar member of ${fields.size} bytes`);
  }
  const buf = headers.encode({
    name: fields.name,
    size: fields.size,
    mode: fields.mode ?? 0o644,
    uid: 0,
    gid: 0,
    uname: 'vessel',
    gname: 'vessel',
    mtime: fields.mtime ?? new Date(0),
    type: 'file',
  });
  return buf ?? undefined;
}

/** Decodes a header block; null for an all-zero block (end of archive). Throws on a bad checksum or format. */
export function decodeTarHeader(block: Buffer): DecodedTarHeader | null {
  return headers.decode(block, 'utf-8', false);
}

/** Bytes of zero padding after `size` bytes of member data, to the next block boundary. */
export function padding(size: number): number {
  const r = size % BLOCK;
  return r === 0 ? 0 : BLOCK - r;
}
