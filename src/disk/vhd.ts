/**
 * VHD (Microsoft Virtual Hard Disk, big-endian): fixed images end with a 512-byte footer; dynamic and
 * differencing images start with a copy of it, then a dynamic header (`cxsparse`) and the block allocation
 * table. Field offsets: notes/disk-formats.md §1.6.
 */
import { u64be } from './file-io.js';
import { type ProbeContext, readTable } from './probe-context.js';
import type { ProbeResult } from './types.js';

/** VHD disk types (footer offset 60). */
const VhdType = { fixed: 2, dynamic: 3, differencing: 4 } as const;

/** Creator applications whose images QEMU 7.2 sizes by `currentSize` instead of the CHS geometry. */
const SIZE_BY_CURRENT = ['win ', 'qem2', 'd2v ', 'CTXS', 'tap\0'];

/** The VHD checksum: one's complement of the byte sum with the checksum field (at `at`) taken as zero. */
export function vhdChecksum(b: Buffer, at: number): number {
  let sum = 0;
  for (let i = 0; i < b.length; i++) if (i < at || i >= at + 4) sum += b[i]!;
  return ~sum >>> 0;
}

/** Probes a VHD whose footer is `footer` (read from the end of the file, or from offset 0 for a dynamic one). */
export async function probeVhd(
  ctx: ProbeContext,
): Promise<Omit<ProbeResult, 'path' | 'fileSize' | 'references'>> {
  const { file, problems: p } = ctx;
  const end = Math.max(0, file.size - 512);
  const tail = await file.read(end, 512);
  const head = ctx.head.subarray(0, 512);
  const tailOk = tail.toString('latin1', 0, 8) === 'conectix';
  const footer = tailOk ? tail : head;
  const footerAt = tailOk ? end : 0;
  const diskType = footer.readUInt32BE(60);
  const currentSize = u64be(footer, 48);
  const creator = footer.toString('latin1', 28, 32);
  const [c, hh, s] = [footer.readUInt16BE(56), footer.readUInt8(58), footer.readUInt8(59)];
  const subformat =
    diskType === VhdType.fixed ? 'fixed' : diskType === VhdType.dynamic ? 'dynamic' : 'differencing';
  const details: ProbeResult['details'] = {
    creator: creator.replace(/\0/g, ''),
    geometry: `${c}/${hh}/${s}`,
  };
  const r = {
    format: 'vhd' as const,
    subformat,
    virtualSize: currentSize,
    allocatedSize: file.allocated,
    details,
    problems: p.list,
  };
  if (![2, 3, 4].includes(diskType)) p.error('VHD_TYPE', `Unknown VHD disk type ${diskType}`, footerAt + 60);
  if (vhdChecksum(footer, 64) !== footer.readUInt32BE(64))
    p.error('VHD_CHECKSUM', 'The footer checksum does not match', footerAt + 64);
  if (diskType !== VhdType.fixed && !tailOk)
    p.error('VHD_TRUNCATED', 'No footer at the end of the file (truncated?)', end);
  const chs = c * hh * s * 512;
  if (!SIZE_BY_CURRENT.includes(creator) && chs !== currentSize && !(c === 65535 && hh === 16 && s === 255))
    p.warn(
      'VHD_CHS_SIZE',
      `QEMU 7.2 will see ${chs} bytes (from the CHS geometry), not currentSize ${currentSize}`,
      footerAt + 56,
    );
  if (diskType === VhdType.fixed && file.size !== currentSize + 512 && !p.failed)
    p.error(
      'VHD_TRUNCATED',
      `A fixed VHD of ${currentSize} bytes must be ${currentSize + 512} bytes long`,
      end,
    );
  if (diskType === VhdType.dynamic || diskType === VhdType.differencing) {
    const populated = await checkDynamic(ctx, footer);
    if (populated !== undefined) return { ...r, populatedSize: populated };
  }
  return r;
}

async function checkDynamic(ctx: ProbeContext, footer: Buffer): Promise<number | undefined> {
  const p = ctx.problems;
  const at = u64be(footer, 16);
  const dh = await readTable(ctx, at, 1024, 'VHD_TRUNCATED', 'dynamic header');
  if (!dh) return undefined;
  if (dh.toString('latin1', 0, 8) !== 'cxsparse') {
    p.error('VHD_HEADER', 'No dynamic disk header ("cxsparse") where the footer points', at);
    return undefined;
  }
  if (vhdChecksum(dh, 36) !== dh.readUInt32BE(36))
    p.error('VHD_CHECKSUM', 'The dynamic header checksum does not match', at + 36);
  const tableOffset = u64be(dh, 16);
  const entries = dh.readUInt32BE(28);
  const blockSize = dh.readUInt32BE(32);
  if (entries * blockSize < u64be(footer, 48))
    p.error('VHD_BAT', `The BAT (${entries} blocks of ${blockSize} bytes) does not cover the disk`, at + 28);
  if (entries > 1 << 24) return undefined;
  const bat = await readTable(ctx, tableOffset, entries * 4, 'VHD_TRUNCATED', 'block allocation table');
  if (!bat) return undefined;
  const bitmap = Math.ceil(blockSize / 512 / 8 / 512) * 512;
  let blocks = 0;
  for (let i = 0; i < entries; i++) {
    const sector = bat.readUInt32BE(i * 4);
    if (sector === 0xffffffff) continue;
    if (sector * 512 + bitmap + blockSize > ctx.file.size - 512) {
      p.error(
        'VHD_TRUNCATED',
        `Block ${i} at sector ${sector} extends past the end of the file`,
        tableOffset + i * 4,
      );
      return undefined;
    }
    blocks++;
  }
  return Math.min(blocks * blockSize, u64be(footer, 48));
}
