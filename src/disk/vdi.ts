/** VDI (VirtualBox Disk Image, little-endian): header at 0, block map, then blocks. notes/disk-formats.md §1.6. */
import { u64le } from './file-io.js';
import { type ProbeContext, readTable } from './probe-context.js';
import type { ProbeResult } from './types.js';

/** Block map values that are not block numbers. */
const UNALLOCATED = 0xffffffff;
const DISCARDED = 0xfffffffe;

/** Probes a VDI: header fields, and every block map entry within the allocated blocks and the file. */
export async function probeVdi(
  ctx: ProbeContext,
): Promise<Omit<ProbeResult, 'path' | 'fileSize' | 'references'>> {
  const { head: b, problems: p, file } = ctx;
  if (b.length < 0x190) {
    p.error('VDI_TRUNCATED', 'The file is too short for a VDI header', b.length);
    return { format: 'vdi', virtualSize: 0, allocatedSize: file.allocated, details: {}, problems: p.list };
  }
  const imageType = b.readUInt32LE(0x4c);
  const offsetBmap = b.readUInt32LE(0x154);
  const offsetData = b.readUInt32LE(0x158);
  const diskSize = u64le(b, 0x170);
  const blockSize = b.readUInt32LE(0x178);
  const blocksInImage = b.readUInt32LE(0x180);
  const blocksAllocated = b.readUInt32LE(0x184);
  const details: ProbeResult['details'] = { version: `0x${b.readUInt32LE(0x44).toString(16)}`, blockSize };
  const subformat = imageType === 1 ? 'dynamic' : imageType === 2 ? 'static' : `type ${imageType}`;
  const r = {
    format: 'vdi' as const,
    subformat,
    virtualSize: diskSize,
    allocatedSize: file.allocated,
    details,
  };
  if (blockSize === 0 || blocksInImage * blockSize < diskSize) {
    p.error(
      'VDI_HEADER',
      `${blocksInImage} blocks of ${blockSize} bytes do not cover the disk of ${diskSize} bytes`,
      0x178,
    );
    return { ...r, problems: p.list };
  }
  if (blocksInImage > 1 << 24) return { ...r, problems: p.list };
  const map = await readTable(ctx, offsetBmap, blocksInImage * 4, 'VDI_TRUNCATED', 'block map');
  if (offsetData + blocksAllocated * blockSize > file.size)
    p.error(
      'VDI_TRUNCATED',
      `${blocksAllocated} allocated blocks of ${blockSize} bytes from offset ${offsetData} do not fit in the file`,
      file.size,
    );
  if (!map || p.failed) return { ...r, problems: p.list };
  let used = 0;
  for (let i = 0; i < blocksInImage; i++) {
    const e = map.readUInt32LE(i * 4);
    if (e === UNALLOCATED || e === DISCARDED) continue;
    if (e >= blocksAllocated) {
      p.error(
        'VDI_BLOCK_MAP',
        `Block map entry ${i} names block ${e}, but only ${blocksAllocated} exist`,
        offsetBmap + i * 4,
      );
      break;
    }
    used++;
  }
  return { ...r, problems: p.list, populatedSize: Math.min(used * blockSize, diskSize) };
}
