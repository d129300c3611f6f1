/**
 * qcow2 (QEMU copy-on-write v2/v3, big-endian): header parsing and probing. The spec is QEMU's
 * docs/interop/qcow2.txt; field offsets are listed in notes/disk-formats.md §1.6.
 */
import { u64be } from './file-io.js';
import { type ProbeContext, readTable } from './probe-context.js';
import type { ProbeResult } from './types.js';

/** "QFI\xfb". */
export const QCOW2_MAGIC = 0x514649fb;
/** L1/L2 entry bit 63: the cluster's refcount is exactly one. */
export const QCOW_OFLAG_COPIED = 1n << 63n;
/** L2 entry bit 62: the cluster is compressed. */
export const QCOW_OFLAG_COMPRESSED = 1n << 62n;
/** Bits 9–55: the host offset in a standard L1/L2 entry. */
export const QCOW_OFFSET_MASK = 0x00fffffffffffe00n;

/** Incompatible feature bits (qcow2 v3). */
export const Qcow2Incompat = { dirty: 1, corrupt: 2, externalData: 4, compressionType: 8, extendedL2: 16 };

/** The qcow2 header fields Vessel uses. */
export interface Qcow2Header {
  version: number;
  backingFileOffset: number;
  backingFileSize: number;
  clusterBits: number;
  size: number;
  cryptMethod: number;
  l1Size: number;
  l1TableOffset: number;
  refcountTableOffset: number;
  refcountTableClusters: number;
  nbSnapshots: number;
  incompatible: number;
  refcountOrder: number;
  headerLength: number;
  /** 0 zlib, 1 zstd. */
  compressionType: number;
}

/** Parses a qcow2 header from the first bytes of the file. */
export function parseQcow2Header(b: Buffer): Qcow2Header {
  const version = b.readUInt32BE(4);
  const v3 = version >= 3 && b.length >= 104;
  const headerLength = v3 ? b.readUInt32BE(100) : 72;
  return {
    version,
    backingFileOffset: u64be(b, 8),
    backingFileSize: b.readUInt32BE(16),
    clusterBits: b.readUInt32BE(20),
    size: u64be(b, 24),
    cryptMethod: b.readUInt32BE(32),
    l1Size: b.readUInt32BE(36),
    l1TableOffset: u64be(b, 40),
    refcountTableOffset: u64be(b, 48),
    refcountTableClusters: b.readUInt32BE(56),
    nbSnapshots: b.readUInt32BE(60),
    incompatible: v3 ? Number(b.readBigUInt64BE(72) & 0xffffffffn) : 0,
    refcountOrder: v3 ? b.readUInt32BE(96) : 4,
    headerLength,
    compressionType: v3 && headerLength > 104 && b.length > 104 ? b.readUInt8(104) : 0,
  };
}

/** L2 entries per L2 table and the number of L1 entries needed for `size` bytes. */
export function qcow2Geometry(clusterBits: number, size: number) {
  const clusterSize = 2 ** clusterBits;
  const l2Entries = clusterSize / 8;
  const l1Needed = Math.ceil(size / (clusterSize * l2Entries));
  return { clusterSize, l2Entries, l1Needed };
}

/** Probes a qcow2 image: header sanity, feature bits, backing file, and every L1/L2 entry inside the file. */
export async function probeQcow2(
  ctx: ProbeContext,
): Promise<Omit<ProbeResult, 'path' | 'fileSize' | 'references'>> {
  const { head, problems: p, file } = ctx;
  const h = parseQcow2Header(head);
  const details: ProbeResult['details'] = {
    version: h.version,
    clusterSize: 2 ** Math.min(h.clusterBits, 40),
    compressionType: h.compressionType === 1 ? 'zstd' : 'zlib',
  };
  const base = { format: 'qcow2' as const, subformat: `v${h.version}`, virtualSize: h.size, details };
  const allocatedSize = file.allocated;
  if (h.version !== 2 && h.version !== 3) {
    p.error('QCOW2_VERSION', `Unsupported qcow2 version ${h.version} (only 2 and 3 exist)`, 4);
    return { ...base, allocatedSize, problems: p.list };
  }
  if (h.clusterBits < 9 || h.clusterBits > 21) {
    p.error('QCOW2_CLUSTER_BITS', `Invalid cluster_bits ${h.clusterBits} (must be 9..21)`, 20);
    return { ...base, allocatedSize, problems: p.list };
  }
  if (h.incompatible & Qcow2Incompat.dirty)
    p.warn(
      'QCOW2_DIRTY',
      'The image is marked dirty (refcounts may be stale); run qemu-img check -r all',
      72,
    );
  if (h.incompatible & Qcow2Incompat.corrupt)
    p.error('QCOW2_CORRUPT_BIT', 'QEMU marked the image corrupt; it refuses to write to it', 72);
  if (h.incompatible & Qcow2Incompat.externalData) details.externalDataFile = true;
  if (h.incompatible & Qcow2Incompat.extendedL2) details.extendedL2 = true;
  const unknown = h.incompatible & ~0x1f;
  if (unknown) p.error('QCOW2_FEATURES', `Unknown incompatible feature bits 0x${unknown.toString(16)}`, 72);
  if (h.cryptMethod !== 0) {
    details.encrypted = h.cryptMethod === 1 ? 'aes' : h.cryptMethod === 2 ? 'luks' : h.cryptMethod;
    p.info('QCOW2_ENCRYPTED', 'The image is encrypted');
  }
  if (h.nbSnapshots) details.snapshots = h.nbSnapshots;
  if (h.backingFileOffset !== 0) {
    const len = Math.min(h.backingFileSize, 1023);
    const name = (await file.read(h.backingFileOffset, len)).toString('utf8');
    details.backingFile = name;
  }
  const g = qcow2Geometry(h.clusterBits, h.size);
  if (h.l1Size < g.l1Needed)
    p.error(
      'QCOW2_L1_SIZE',
      `L1 table has ${h.l1Size} entries, ${g.l1Needed} are needed for ${h.size} bytes`,
      36,
    );
  if (h.refcountTableOffset + h.refcountTableClusters * g.clusterSize > file.size)
    p.error(
      'QCOW2_TRUNCATED',
      `The refcount table at offset ${h.refcountTableOffset} extends past the end of the file`,
      48,
    );
  const populated = p.failed ? undefined : await checkTables(ctx, h, g.clusterSize);
  const r = { ...base, allocatedSize, problems: p.list };
  return populated === undefined ? r : { ...r, populatedSize: populated };
}

/** Reads the L1 table and every L2 table (at most 256 MiB of them) and checks each entry points inside the file. */
async function checkTables(ctx: ProbeContext, h: Qcow2Header, cs: number): Promise<number | undefined> {
  const p = ctx.problems;
  if (h.l1Size * 8 > 64 << 20) return undefined;
  const l1 = await readTable(ctx, h.l1TableOffset, h.l1Size * 8, 'QCOW2_TRUNCATED', 'L1 table');
  if (!l1) return undefined;
  const l2s: number[] = [];
  for (let i = 0; i < h.l1Size; i++) {
    const off = Number(l1.readBigUInt64BE(i * 8) & QCOW_OFFSET_MASK);
    if (off !== 0) l2s.push(off);
  }
  if (l2s.length * cs > 256 << 20) return undefined;
  let clusters = 0;
  for (const off of l2s) {
    const l2 = await readTable(ctx, off, cs, 'QCOW2_TRUNCATED', 'L2 table');
    if (!l2) return undefined;
    for (let j = 0; j < cs / 8; j++) {
      const e = l2.readBigUInt64BE(j * 8);
      if (e === 0n) continue;
      const host = Number(e & QCOW_OFFSET_MASK);
      const compressed = (e & QCOW_OFLAG_COMPRESSED) !== 0n;
      if (!compressed && host === 0) continue;
      const at = compressed ? Number(e & ((1n << BigInt(62 - (h.clusterBits - 8))) - 1n)) : host;
      if (at >= ctx.file.size) {
        p.error(
          'QCOW2_TRUNCATED',
          `L2 entry ${j} of the table at ${off} points past the end of the file`,
          off + j * 8,
        );
        return undefined;
      }
      clusters++;
    }
  }
  return clusters * cs;
}
