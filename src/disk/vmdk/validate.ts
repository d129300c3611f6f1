/** Checks on a sparse extent header, shared by the prober (problems) and the stream decoder (errors). */
import type { DiskErrorCode } from '../errors.js';
import {
  FLAG_COMPRESSED,
  FLAG_MARKERS,
  FLAG_NEWLINE,
  HeaderField,
  isPow2,
  KNOWN_INCOMPAT,
  SECTOR,
  type SparseHeader,
  VMDK_MAGIC,
} from './header.js';

/** The default ceiling on a virtual size claimed by a header: 64 TiB. */
export const DEFAULT_MAX_VIRTUAL_SIZE = 64 * 2 ** 40;

/** One thing wrong with a header, with the byte offset of the field. */
interface HeaderProblem {
  code: string;
  errorCode: DiskErrorCode;
  message: string;
  offset: number;
}

/** Options of {@link headerProblems}. */
interface HeaderCheckOptions {
  /** Check what a streamOptimized reader needs (compressed grains with markers, deflate). */
  stream: boolean;
  maxVirtualSize?: number | undefined;
}

/** Lists what is wrong with a header; an empty list means it can be read. */
export function headerProblems(h: SparseHeader, o: HeaderCheckOptions): HeaderProblem[] {
  const out: HeaderProblem[] = [];
  const bad = (code: string, errorCode: DiskErrorCode, message: string, field: keyof typeof HeaderField) =>
    out.push({ code, errorCode, message, offset: HeaderField[field] });
  if (h.magic !== VMDK_MAGIC) {
    bad('VMDK_MAGIC', 'DISK_CORRUPT', 'Not a VMDK sparse extent: the magic is not "KDMV"', 'magic');
    return out;
  }
  if (h.version < 1 || h.version > 3)
    bad('VMDK_VERSION', 'DISK_UNSUPPORTED', `Unsupported sparse extent version ${h.version}`, 'version');
  const unknown = h.flags & 0xffff0000 & ~KNOWN_INCOMPAT;
  if (unknown)
    bad('VMDK_FLAGS', 'DISK_UNSUPPORTED', `Unknown incompatible flags 0x${unknown.toString(16)}`, 'flags');
  if (h.flags & FLAG_MARKERS && !(h.flags & FLAG_COMPRESSED))
    bad(
      'VMDK_FLAGS',
      'DISK_CORRUPT',
      'The markers flag (bit 17) is set without compression (bit 16)',
      'flags',
    );
  if (o.stream && (h.flags & (FLAG_MARKERS | FLAG_COMPRESSED)) !== (FLAG_MARKERS | FLAG_COMPRESSED))
    bad(
      'VMDK_NOT_STREAM',
      'DISK_UNSUPPORTED',
      `Not a streamOptimized VMDK: flags 0x${h.flags.toString(16)} lack compressed grains with markers`,
      'flags',
    );
  if (h.flags & FLAG_NEWLINE && !h.newlineOk)
    bad(
      'VMDK_NEWLINE',
      'DISK_CORRUPT',
      'The newline-detection bytes are mangled (was the file transferred in text mode?)',
      'newline',
    );
  if (h.flags & FLAG_COMPRESSED && h.compressAlgorithm !== 1)
    bad(
      'VMDK_COMPRESSION',
      'DISK_UNSUPPORTED',
      `Unknown compression algorithm ${h.compressAlgorithm} (only 1, deflate, exists)`,
      'compressAlgorithm',
    );
  if (!isPow2(h.grainSize) || h.grainSize > 2048)
    bad('VMDK_GRAIN', 'DISK_CORRUPT', `Invalid grain size of ${h.grainSize} sectors`, 'grainSize');
  if (!isPow2(h.numGTEsPerGT) || h.numGTEsPerGT < 128 || h.numGTEsPerGT > 1 << 16)
    bad(
      'VMDK_GTES',
      'DISK_CORRUPT',
      `Invalid number of entries per grain table: ${h.numGTEsPerGT}`,
      'numGTEsPerGT',
    );
  const max = o.maxVirtualSize ?? DEFAULT_MAX_VIRTUAL_SIZE;
  if (h.capacity * SECTOR > max)
    bad(
      'VMDK_TOO_LARGE',
      'DISK_TOO_LARGE',
      `The header claims a capacity of ${h.capacity} sectors (${h.capacity * SECTOR} bytes), more than the limit of ${max} bytes`,
      'capacity',
    );
  if (h.descriptorOffset > 0 && (h.descriptorSize > 2048 || h.descriptorSize === 0))
    bad(
      'VMDK_DESCRIPTOR',
      'DISK_CORRUPT',
      `Invalid descriptor size of ${h.descriptorSize} sectors`,
      'descriptorSize',
    );
  const descEnd = h.descriptorOffset > 0 ? h.descriptorOffset + h.descriptorSize : 1;
  if (o.stream && (h.overHead < descEnd || h.overHead > 2 ** 40))
    bad(
      'VMDK_OVERHEAD',
      'DISK_CORRUPT',
      `overHead of ${h.overHead} sectors does not leave room for the header and descriptor`,
      'overHead',
    );
  return out;
}
