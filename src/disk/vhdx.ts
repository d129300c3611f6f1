/**
 * VHDX (little-endian): file identifier, two headers at 64/128 KiB (the valid one with the higher sequence
 * number wins), region tables at 192/256 KiB naming the BAT and metadata regions; the metadata holds the
 * virtual size. CRC-32C checksums protect headers and region tables. [MS-VHDX] §2; notes/disk-formats.md §1.6.
 */
import { u64le } from './file-io.js';
import { type ProbeContext, readTable } from './probe-context.js';
import type { ByteSource } from './reference-kinds.js';
import type { ProbeResult } from './types.js';

const KiB = 1024;
const MiB = 1024 * KiB;
/** Region and metadata item GUIDs, as written by [MS-VHDX]. */
const BAT_REGION = '2dc27766-f623-4200-9d64-115e9bfd4a08';
/** The metadata region's GUID. */
export const METADATA_REGION = '8b7ca206-4790-4b9a-b8fe-575f050f886e';
/** The file parameters item's GUID (block size; flags: bit 1 HasParent). */
export const FILE_PARAMETERS = 'caa16737-fa36-4d43-b3b6-33f0aa44e76b';
const VIRTUAL_DISK_SIZE = '2fa54224-cd1b-4876-b211-5dbed83bf4b8';
const LOGICAL_SECTOR_SIZE = '8141bf1d-a96f-4709-ba47-f233a8faab5f';

const CRC32C = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

/** CRC-32C (Castagnoli) of `b` with the 4-byte checksum field at `at` taken as zero. */
export function crc32c(b: Buffer, at: number): number {
  let c = 0xffffffff;
  for (let i = 0; i < b.length; i++) {
    const byte = i >= at && i < at + 4 ? 0 : b[i]!;
    c = CRC32C[(c ^ byte) & 0xff]! ^ (c >>> 8);
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** Reads a GUID stored in Windows mixed-endian form as lowercase text. */
export function readGuid(b: Buffer, off: number): string {
  const h = (s: number, e: number) => b.subarray(off + s, off + e).toString('hex');
  const le = (s: number, e: number) =>
    Buffer.from(b.subarray(off + s, off + e))
      .reverse()
      .toString('hex');
  return `${le(0, 4)}-${le(4, 6)}-${le(6, 8)}-${h(8, 10)}-${h(10, 16)}`;
}

/** A region of a VHDX file: byte offset and length. */
interface VhdxRegion {
  offset: number;
  length: number;
}

/** The region table (the first copy, at 192 KiB or 256 KiB, whose CRC-32C is right), by region GUID. */
export async function vhdxRegions(src: ByteSource): Promise<Map<string, VhdxRegion> | undefined> {
  for (const at of [192 * KiB, 256 * KiB]) {
    const t = await src.read(at, 64 * KiB);
    if (t.length < 64 * KiB || t.toString('latin1', 0, 4) !== 'regi' || crc32c(t, 4) !== t.readUInt32LE(4))
      continue;
    const regions = new Map<string, VhdxRegion>();
    const n = Math.min(t.readUInt32LE(8), 2047);
    for (let i = 0; i < n; i++) {
      const e = 16 + i * 32;
      regions.set(readGuid(t, e), { offset: u64le(t, e + 16), length: t.readUInt32LE(e + 24) });
    }
    return regions;
  }
  return undefined;
}

/** The items of a metadata region's table, by item GUID; undefined when the region has no "metadata" table. */
export function vhdxItems(m: Buffer): Map<string, Buffer> | undefined {
  if (m.length < 32 || m.toString('latin1', 0, 8) !== 'metadata') return undefined;
  const items = new Map<string, Buffer>();
  for (let i = 0; i < Math.min(m.readUInt16LE(10), 2047) && 32 + i * 32 + 32 <= m.length; i++) {
    const e = 32 + i * 32;
    const off = m.readUInt32LE(e + 16);
    items.set(readGuid(m, e), m.subarray(off, off + m.readUInt32LE(e + 20)));
  }
  return items;
}

/** Probes a VHDX: headers, region table, metadata (size, block size), and BAT entries inside the file. */
export async function probeVhdx(
  ctx: ProbeContext,
): Promise<Omit<ProbeResult, 'path' | 'fileSize' | 'references'>> {
  const { file, problems: p } = ctx;
  const details: ProbeResult['details'] = {};
  const r = {
    format: 'vhdx' as const,
    virtualSize: 0,
    allocatedSize: file.allocated,
    details,
    problems: p.list,
  };
  const headers = [];
  for (const at of [64 * KiB, 128 * KiB]) {
    const h = await file.read(at, 4 * KiB);
    if (h.length === 4 * KiB && h.toString('latin1', 0, 4) === 'head' && crc32c(h, 4) === h.readUInt32LE(4))
      headers.push({ at, seq: h.readBigUInt64LE(8), h });
  }
  headers.sort((a, b) => (a.seq > b.seq ? -1 : 1));
  const header = headers[0];
  if (!header) {
    p.error('VHDX_HEADER', 'Neither VHDX header (at 64 KiB and 128 KiB) is valid', 64 * KiB);
    return r;
  }
  if (readGuid(header.h, 48) !== '00000000-0000-0000-0000-000000000000')
    p.warn(
      'VHDX_LOG',
      'The log is not empty: the image must be replayed (opened read-write) before use',
      header.at + 48,
    );
  const regions = await vhdxRegions(file);
  const meta = regions?.get(METADATA_REGION);
  const batRegion = regions?.get(BAT_REGION);
  if (!regions || !meta || !batRegion) {
    p.error('VHDX_REGIONS', 'No valid region table with metadata and BAT regions', 192 * KiB);
    return r;
  }
  const m = await readTable(
    ctx,
    meta.offset,
    Math.min(meta.length, 1 * MiB),
    'VHDX_TRUNCATED',
    'metadata region',
  );
  if (!m) return r;
  const items = vhdxItems(m);
  if (!items) {
    p.error('VHDX_METADATA', 'The metadata region has no "metadata" table', meta.offset);
    return r;
  }
  const size = items.get(VIRTUAL_DISK_SIZE);
  const params = items.get(FILE_PARAMETERS);
  if (!size || size.length < 8 || !params || params.length < 8) {
    p.error('VHDX_METADATA', 'The metadata lacks the virtual disk size or file parameters', meta.offset);
    return r;
  }
  r.virtualSize = u64le(size, 0);
  const blockSize = params.readUInt32LE(0);
  const sectorSize = items.get(LOGICAL_SECTOR_SIZE)?.readUInt32LE(0) ?? 512;
  details.blockSize = blockSize;
  details.logicalSectorSize = sectorSize;
  if (params.readUInt32LE(4) & 2) details.hasParent = true;
  const populated = await checkBat(ctx, batRegion, blockSize, sectorSize, r.virtualSize);
  return populated === undefined ? r : { ...r, populatedSize: populated };
}

async function checkBat(
  ctx: ProbeContext,
  region: { offset: number; length: number },
  blockSize: number,
  sectorSize: number,
  size: number,
): Promise<number | undefined> {
  if (blockSize < MiB || region.length > 256 * MiB) return undefined;
  const bat = await readTable(ctx, region.offset, region.length, 'VHDX_TRUNCATED', 'BAT region');
  if (!bat) return undefined;
  const chunkRatio = (2 ** 23 * sectorSize) / blockSize;
  const dataBlocks = Math.ceil(size / blockSize);
  let present = 0;
  for (let i = 0; i < dataBlocks; i++) {
    const idx = i + Math.floor(i / chunkRatio);
    if ((idx + 1) * 8 > bat.length) break;
    const e = bat.readBigUInt64LE(idx * 8);
    const state = Number(e & 7n);
    if (state !== 6 && state !== 7) continue;
    const off = Number(e >> 20n) * MiB;
    if (off + blockSize > ctx.file.size) {
      ctx.problems.error(
        'VHDX_TRUNCATED',
        `Block ${i} at ${off} extends past the end of the file`,
        region.offset + idx * 8,
      );
      return undefined;
    }
    present++;
  }
  return Math.min(present * blockSize, size);
}
