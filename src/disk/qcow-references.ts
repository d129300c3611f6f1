/**
 * External references of QEMU's own formats (QEMU docs/interop/qcow2.txt and qed_spec.txt):
 * - qcow (v1) and qcow2 (v2, v3) keep a backing file name at the offset in header bytes 8–15 (u64 BE), of the
 *   length in bytes 16–19; QEMU reads it whenever the offset is not 0, and a name may be a path, a protocol
 *   (`nbd://...`) or a `json:{...}` block spec;
 * - qcow2 header extensions (from `header_length`, 72 for v2, to the backing name or the end of the first
 *   cluster) hold the backing format (0xE2792ACA) and the external data file name (0x44415441), which QEMU
 *   opens when incompatible feature bit 2 is set; the bit alone makes it want a data file too;
 * - QED keeps a backing file name at the offset and size in header bytes 56–63 (u32 LE each), used when
 *   feature bit 0 is set.
 */
import { type ByteSource, clip, cString, type ImageReference } from './reference-kinds.js';

const EXT_BACKING_FORMAT = 0xe2792aca;
const EXT_DATA_FILE = 0x44415441;
/** Incompatible feature bit 2: guest data lives in an external data file. */
const INCOMPAT_DATA_FILE = 4n;
/** QED feature bit 0: the image has a backing file. */
const QED_F_BACKING_FILE = 1n;
/** The most bytes of header extensions read (the first cluster, at most 2 MiB). */
const MAX_EXTENSIONS = 2 << 20;

/** Pads a short header with zeros so every field can be read. */
const padded = (b: Buffer, n: number) => (b.length >= n ? b : Buffer.concat([b, Buffer.alloc(n - b.length)]));

/** The name stored at `offset` (`length` bytes), as a C reader takes it (up to the first NUL). */
async function nameAt(src: ByteSource, offset: bigint, length: number): Promise<string> {
  if (offset >= BigInt(src.size)) return `(at offset ${offset}, past the end of the file)`;
  return clip(cString(await src.read(Number(offset), Math.min(length, 4096)), 'utf8'));
}

/** References of a qcow or qcow2 image ("QFI\xfb"), whatever its version says. */
export async function qcowReferences(src: ByteSource, head: Buffer): Promise<ImageReference[]> {
  const h = padded(head, 112);
  const refs: ImageReference[] = [];
  const version = h.readUInt32BE(4);
  const backingOffset = h.readBigUInt64BE(8);
  if (backingOffset !== 0n)
    refs.push({
      kind: 'qcow-backing',
      name: await nameAt(src, backingOffset, h.readUInt32BE(16)),
      offset: 8,
    });
  if (version < 2) return refs;
  const cluster = 2 ** Math.min(Math.max(h.readUInt32BE(20), 9), 21);
  const end =
    backingOffset !== 0n && backingOffset < BigInt(MAX_EXTENSIONS) ? Number(backingOffset) : cluster;
  const ext = await src.read(0, Math.min(end, MAX_EXTENSIONS));
  let off = Math.max(version >= 3 ? h.readUInt32BE(100) : 72, 72);
  for (let n = 0; off + 8 <= ext.length && n < 1024; n++) {
    const type = ext.readUInt32BE(off);
    const len = ext.readUInt32BE(off + 4);
    if (type === 0) break;
    const name = () => clip(cString(ext.subarray(off + 8, off + 8 + Math.min(len, 4096)), 'utf8'));
    if (type === EXT_BACKING_FORMAT) refs.push({ kind: 'qcow2-backing-format', name: name(), offset: off });
    if (type === EXT_DATA_FILE) refs.push({ kind: 'qcow2-data-file', name: name(), offset: off });
    off += 8 + Math.ceil(len / 8) * 8;
  }
  const dataBit = version >= 3 && (h.readBigUInt64BE(72) & INCOMPAT_DATA_FILE) !== 0n;
  if (dataBit && !refs.some((r) => r.kind === 'qcow2-data-file'))
    refs.push({
      kind: 'qcow2-data-file',
      name: '(named by the reader: incompatible feature bit 2)',
      offset: 72,
    });
  return refs;
}

/** References of a QED image ("QED\0"). */
export async function qedReferences(src: ByteSource, head: Buffer): Promise<ImageReference[]> {
  const h = padded(head, 64);
  const offset = h.readUInt32LE(56);
  if ((h.readBigUInt64LE(16) & QED_F_BACKING_FILE) === 0n && offset === 0) return [];
  return [{ kind: 'qed-backing', name: await nameAt(src, BigInt(offset), h.readUInt32LE(60)), offset: 56 }];
}
