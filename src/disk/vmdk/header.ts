/**
 * The VMDK hosted sparse extent header (`SparseExtentHeader`, 512 bytes, little-endian) and the streamOptimized
 * markers, as described in VMware's "Virtual Disk Format 1.1" and read by QEMU (block/vmdk.c), open-vmdk and
 * libvmdk. See notes/disk-formats.md §1.1–1.2.
 */
import { u64le } from '../file-io.js';

/** One sector: every VMDK offset and size is counted in these. */
export const SECTOR = 512;
/** "KDMV" read as a little-endian u32. */
export const VMDK_MAGIC = 0x564d444b;
/** bit 0: the newline-detection bytes at offset 73 are valid. */
export const FLAG_NEWLINE = 0x1;
/** bit 1: a redundant grain directory exists (qemu sets it). */
export const FLAG_REDUNDANT = 0x2;
/** bit 2: GTE value 1 means a zero grain. */
export const FLAG_ZERO_GTE = 0x4;
/** bit 16: grains are compressed. */
export const FLAG_COMPRESSED = 0x10000;
/** bit 17: grains and metadata carry markers (streamOptimized). */
export const FLAG_MARKERS = 0x20000;
/** The flags a streamOptimized writer sets: newline test, compressed grains, markers. */
export const STREAM_FLAGS = FLAG_NEWLINE | FLAG_COMPRESSED | FLAG_MARKERS;
/** Incompatible flags (bits 16–31) a reader may meet: only compressed grains and markers are defined. */
export const KNOWN_INCOMPAT = FLAG_COMPRESSED | FLAG_MARKERS;
/** The newline-detection bytes "\n \r\n" at header offset 73. */
const NEWLINE_BYTES = Buffer.from([0x0a, 0x20, 0x0d, 0x0a]);

/** Metadata marker types (the u32 at marker offset 12 when the size field is 0). */
export const Marker = { EOS: 0, GT: 1, GD: 2, FOOTER: 3, PROGRESS: 4 } as const;

/** A parsed sparse extent header; sizes and offsets in sectors. */
export interface SparseHeader {
  magic: number;
  version: number;
  flags: number;
  capacity: number;
  grainSize: number;
  descriptorOffset: number;
  descriptorSize: number;
  numGTEsPerGT: number;
  rgdOffset: number;
  /** The grain directory sector, or undefined when the header says GD_AT_END (all ones). */
  gdOffset: number | undefined;
  overHead: number;
  uncleanShutdown: number;
  /** The four newline-detection bytes are intact. */
  newlineOk: boolean;
  compressAlgorithm: number;
}

/** Field offsets inside the header, for error messages that name the byte. */
export const HeaderField = {
  magic: 0,
  version: 4,
  flags: 8,
  capacity: 12,
  grainSize: 20,
  descriptorOffset: 28,
  descriptorSize: 36,
  numGTEsPerGT: 44,
  rgdOffset: 48,
  gdOffset: 56,
  overHead: 64,
  newline: 73,
  compressAlgorithm: 77,
} as const;

/** Parses the 512-byte header at the start of `buf` (no validation). */
export function parseSparseHeader(buf: Buffer): SparseHeader {
  const gdAtEnd = buf.readBigUInt64LE(56) === 0xffffffffffffffffn;
  return {
    magic: buf.readUInt32LE(0),
    version: buf.readUInt32LE(4),
    flags: buf.readUInt32LE(8),
    capacity: u64le(buf, 12),
    grainSize: u64le(buf, 20),
    descriptorOffset: u64le(buf, 28),
    descriptorSize: u64le(buf, 36),
    numGTEsPerGT: buf.readUInt32LE(44),
    rgdOffset: u64le(buf, 48),
    gdOffset: gdAtEnd ? undefined : u64le(buf, 56),
    overHead: u64le(buf, 64),
    uncleanShutdown: buf.readUInt8(72),
    newlineOk: buf.subarray(73, 77).equals(NEWLINE_BYTES),
    compressAlgorithm: buf.readUInt16LE(77),
  };
}

/** Encodes a header (or a footer: the same structure with the real gdOffset) into 512 bytes. */
export function encodeSparseHeader(h: Omit<SparseHeader, 'magic' | 'newlineOk'>): Buffer {
  const b = Buffer.alloc(SECTOR);
  b.writeUInt32LE(VMDK_MAGIC, 0);
  b.writeUInt32LE(h.version, 4);
  b.writeUInt32LE(h.flags, 8);
  b.writeBigUInt64LE(BigInt(h.capacity), 12);
  b.writeBigUInt64LE(BigInt(h.grainSize), 20);
  b.writeBigUInt64LE(BigInt(h.descriptorOffset), 28);
  b.writeBigUInt64LE(BigInt(h.descriptorSize), 36);
  b.writeUInt32LE(h.numGTEsPerGT, 44);
  b.writeBigUInt64LE(BigInt(h.rgdOffset), 48);
  b.writeBigUInt64LE(h.gdOffset === undefined ? 0xffffffffffffffffn : BigInt(h.gdOffset), 56);
  b.writeBigUInt64LE(BigInt(h.overHead), 64);
  b.writeUInt8(h.uncleanShutdown, 72);
  NEWLINE_BYTES.copy(b, 73);
  b.writeUInt16LE(h.compressAlgorithm, 77);
  return b;
}

/** A 512-byte metadata marker: `numSectors` of metadata of `type` follow it. */
export function metadataMarker(numSectors: number, type: number): Buffer {
  const b = Buffer.alloc(SECTOR);
  b.writeBigUInt64LE(BigInt(numSectors), 0);
  b.writeUInt32LE(type, 12);
  return b;
}

/** Grain table geometry of a sparse extent: grains, tables, and directory size in sectors. */
export function tableGeometry(h: Pick<SparseHeader, 'capacity' | 'grainSize' | 'numGTEsPerGT'>) {
  const grains = Math.ceil(h.capacity / h.grainSize);
  const numGTs = Math.ceil(grains / h.numGTEsPerGT);
  const gtSectors = Math.ceil((h.numGTEsPerGT * 4) / SECTOR);
  const gdSectors = Math.ceil((numGTs * 4) / SECTOR);
  return { grains, numGTs, gtSectors, gdSectors };
}

/** True when `n` is a power of two. */
export function isPow2(n: number): boolean {
  return Number.isInteger(n) && n > 0 && Number.isInteger(Math.log2(n));
}
