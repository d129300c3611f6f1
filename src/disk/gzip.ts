/**
 * gzip-compressed images (ovftool `--compress` writes `.vmdk.gz` members): the inner format is probed from the
 * first inflated bytes; the size from the inner header when it has one. The deep check inflates it all.
 */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { detectFormat } from './detect.js';
import { u64be, u64le } from './file-io.js';
import type { ProbeContext } from './probe-context.js';
import type { ProbeResult } from './types.js';
import { FLAG_COMPRESSED, FLAG_MARKERS } from './vmdk/header.js';

const PEEK = 1 << 20;

/** Probes a gzip file and what it contains. */
export async function probeGzip(
  ctx: ProbeContext,
): Promise<Omit<ProbeResult, 'path' | 'fileSize' | 'references'>> {
  const { file, problems: p } = ctx;
  const trailer = await file.read(Math.max(0, file.size - 4), 4);
  const isize = trailer.length === 4 ? trailer.readUInt32LE(0) : 0;
  const details: ProbeResult['details'] = { uncompressedSizeMod4GiB: isize };
  const { head, total, error } = await inflate(file.path, ctx.deep);
  if (error) p.error('GZIP_CORRUPT', `The gzip data is corrupt or truncated: ${error}`);
  const inner = describe(head);
  let virtualSize = inner.virtualSize ?? (ctx.deep && !error ? total : isize);
  if (inner.format === 'raw' && ctx.deep && !error) virtualSize = total;
  if (ctx.deep && !error) details.uncompressedSize = total;
  return { format: 'gzip', virtualSize, allocatedSize: file.allocated, details, problems: p.list, inner };
}

function describe(head: Buffer): NonNullable<ProbeResult['inner']> {
  const d = detectFormat(head, undefined);
  if (d === 'qcow2' && head.length >= 32) return { format: 'qcow2', virtualSize: u64be(head, 24) };
  if (d === 'vmdk-sparse' && head.length >= 512) {
    const flags = head.readUInt32LE(8);
    const stream = (flags & (FLAG_COMPRESSED | FLAG_MARKERS)) === (FLAG_COMPRESSED | FLAG_MARKERS);
    return { format: stream ? 'vmdk-stream' : 'vmdk', virtualSize: u64le(head, 12) * 512 };
  }
  if (d === 'vdi' && head.length >= 0x178) return { format: 'vdi', virtualSize: u64le(head, 0x170) };
  if (d === 'vmdk-text') return { format: 'vmdk' };
  if (d === 'vhd-fixed' || d === 'vhd') return { format: 'vhd' };
  if (d === 'vmdk-sparse') return { format: 'vmdk' };
  return { format: d };
}

/** Inflates the first MiB (or everything when `all`), returning those bytes and the total inflated size. */
async function inflate(path: string, all: boolean): Promise<{ head: Buffer; total: number; error?: string }> {
  const parts: Buffer[] = [];
  let kept = 0;
  let total = 0;
  const gunzip = createGunzip();
  createReadStream(path).pipe(gunzip);
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (kept < PEEK) {
        parts.push(chunk);
        kept += chunk.length;
      }
      if (!all && kept >= PEEK) break;
    }
  } catch (err) {
    return { head: Buffer.concat(parts), total, error: (err as Error).message };
  } finally {
    gunzip.destroy();
  }
  return { head: Buffer.concat(parts), total };
}
