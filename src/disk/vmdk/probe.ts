/**
 * Probing VMDK files: hosted sparse extents (monolithicSparse and streamOptimized, both layouts) and text
 * descriptors (monolithicFlat, split). Quick checks read only the header, descriptor, footer and grain tables;
 * the deep check decodes every grain of a streamOptimized file.
 */
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { DiskError } from '../errors.js';
import { type ProbeContext, readTable } from '../probe-context.js';
import type { ProbeResult } from '../types.js';
import { readStreamVmdk } from './decoder.js';
import { parseDescriptor } from './descriptor.js';
import {
  FLAG_COMPRESSED,
  FLAG_MARKERS,
  FLAG_ZERO_GTE,
  Marker,
  parseSparseHeader,
  SECTOR,
  type SparseHeader,
  tableGeometry,
} from './header.js';
import { headerProblems } from './validate.js';

type Probed = Omit<ProbeResult, 'path' | 'fileSize' | 'references'>;

/** Probes a sparse extent ("KDMV"). */
export async function probeSparseVmdk(ctx: ProbeContext): Promise<Probed> {
  const { head, file, problems: p } = ctx;
  const h = parseSparseHeader(head);
  const stream = (h.flags & FLAG_MARKERS) !== 0 && (h.flags & FLAG_COMPRESSED) !== 0;
  const details: ProbeResult['details'] = { version: h.version, flags: `0x${h.flags.toString(16)}` };
  const r: Probed = {
    format: stream ? 'vmdk-stream' : 'vmdk',
    subformat: stream ? 'streamOptimized' : 'monolithicSparse',
    virtualSize: h.capacity * SECTOR,
    allocatedSize: file.allocated,
    details,
    problems: p.list,
  };
  for (const e of headerProblems(h, { stream })) p.error(e.code, e.message, e.offset);
  if (p.failed) return r;
  if (h.descriptorOffset > 0) {
    const len = Math.min(h.descriptorSize, 2048) * SECTOR;
    const text = (await file.read(h.descriptorOffset * SECTOR, len)).toString('utf8');
    const d = parseDescriptor(text);
    if (!d.signatureOk)
      p.warn(
        'VMDK_DESCRIPTOR',
        'The descriptor does not start with "# Disk DescriptorFile"',
        h.descriptorOffset * SECTOR,
      );
    if (d.createType) {
      details.createType = d.createType;
      if (!stream) r.subformat = d.createType;
    }
    if (d.ddb.adapterType) details.adapterType = d.ddb.adapterType;
  }
  let gd = h.gdOffset;
  if (stream) {
    details.layout = gd === undefined ? 'stream' : 'tables-first';
    if (gd === undefined) gd = await readFooter(ctx, h);
  }
  if (gd !== undefined && !p.failed) {
    const populated = await checkGrainTables(ctx, h, gd);
    if (populated !== undefined) r.populatedSize = populated;
  }
  if (stream && ctx.deep && !p.failed) await deepCheck(ctx);
  return r;
}

/** Reads the footer of a stream-layout file (GD_AT_END) and returns the grain directory sector. */
async function readFooter(ctx: ProbeContext, h: SparseHeader): Promise<number | undefined> {
  const { file, problems: p } = ctx;
  const end = file.size;
  if (end < 1536 + h.overHead * SECTOR) {
    p.error('VMDK_TRUNCATED', 'The file is too short to hold the footer and end-of-stream marker', end);
    return undefined;
  }
  const tail = await file.read(end - 1536, 1536);
  const marker = tail.subarray(0, 512);
  const eos = tail.subarray(1024, 1040);
  const markerOk = marker.readUInt32LE(8) === 0 && marker.readUInt32LE(12) === Marker.FOOTER;
  if (!markerOk || !eos.equals(Buffer.alloc(16))) {
    p.error(
      'VMDK_TRUNCATED',
      'No footer marker and end-of-stream marker at the end of the file (truncated or not finished)',
      end - 1536,
    );
    return undefined;
  }
  const footer = parseSparseHeader(tail.subarray(512, 1024));
  if (footer.magic !== h.magic || footer.capacity !== h.capacity || footer.grainSize !== h.grainSize) {
    p.error(
      'VMDK_FOOTER',
      'The footer does not match the header (magic, capacity or grain size)',
      end - 1024,
    );
    return undefined;
  }
  if (footer.gdOffset === undefined) {
    p.error('VMDK_FOOTER', 'The footer has no grain directory offset', end - 1024 + 56);
    return undefined;
  }
  return footer.gdOffset;
}

/** Reads the grain directory and tables; every entry must point inside the file. Returns the populated bytes. */
async function checkGrainTables(ctx: ProbeContext, h: SparseHeader, gd: number): Promise<number | undefined> {
  const { file, problems: p } = ctx;
  const g = tableGeometry(h);
  if (g.numGTs > 1 << 16) return undefined;
  const dir = await readTable(ctx, gd * SECTOR, g.numGTs * 4, 'VMDK_TRUNCATED', 'grain directory');
  if (!dir) return undefined;
  const gtBytes = h.numGTEsPerGT * 4;
  const sectors = Math.ceil(file.size / SECTOR);
  let grains = 0;
  for (let i = 0; i < g.numGTs; i++) {
    const gt = dir.readUInt32LE(i * 4);
    if (gt === 0) continue;
    const table = await readTable(ctx, gt * SECTOR, gtBytes, 'VMDK_TRUNCATED', `grain table ${i}`);
    if (!table) return undefined;
    for (let j = 0; j < h.numGTEsPerGT; j++) {
      const s = table.readUInt32LE(j * 4);
      if (s === 0 || (s === 1 && h.flags & FLAG_ZERO_GTE)) continue;
      if (s >= sectors) {
        p.error(
          'VMDK_TRUNCATED',
          `Grain ${i * h.numGTEsPerGT + j} is at sector ${s}, past the end of the file`,
          gt * SECTOR + j * 4,
        );
        return undefined;
      }
      grains++;
    }
  }
  return Math.min(grains * h.grainSize * SECTOR, h.capacity * SECTOR);
}

/** Decodes every grain (discarding the data) to find any corrupt marker or grain. */
async function deepCheck(ctx: ProbeContext): Promise<void> {
  const { createReadStream } = await import('node:fs');
  try {
    await readStreamVmdk(createReadStream(ctx.file.path, { highWaterMark: 1 << 20 }), undefined, {
      name: ctx.file.path,
    });
  } catch (err) {
    if (!(err instanceof DiskError)) throw err;
    ctx.problems.error(
      err.code === 'DISK_TRUNCATED' ? 'VMDK_TRUNCATED' : 'VMDK_CORRUPT',
      err.message,
      err.offset,
    );
  }
}

/** Probes a text descriptor: its extents, whether their files exist and are big enough. */
export async function probeTextVmdk(ctx: ProbeContext): Promise<Probed> {
  const { file, problems: p } = ctx;
  const text = (await file.read(0, Math.min(file.size, 64 << 10))).toString('utf8');
  const d = parseDescriptor(text);
  const details: ProbeResult['details'] = { descriptor: true, extents: d.extents.length };
  if (d.ddb.adapterType) details.adapterType = d.ddb.adapterType;
  if (!d.signatureOk)
    p.warn('VMDK_DESCRIPTOR', 'The descriptor does not start with "# Disk DescriptorFile"', 0);
  if (d.extents.length === 0) p.error('VMDK_DESCRIPTOR', 'The descriptor lists no extents', 0);
  let virtualSize = 0;
  for (const e of d.extents) {
    virtualSize += e.sectors * SECTOR;
    // A name outside the descriptor's folder is a reference (see references.ts): it is never looked up.
    if (e.type === 'ZERO' || !/^[^/\\]+$/.test(e.file) || e.file === '..') continue;
    const path = resolve(dirname(file.path), e.file);
    const st = await stat(path).catch(() => undefined);
    if (!st) p.error('VMDK_EXTENT_MISSING', `Extent file "${e.file}" does not exist`);
    else if (e.type === 'FLAT' && st.size < (e.offset + e.sectors) * SECTOR)
      p.error(
        'VMDK_EXTENT_SHORT',
        `Extent file "${e.file}" has ${st.size} bytes, fewer than its ${e.sectors} sectors`,
      );
  }
  const r: Probed = { format: 'vmdk', virtualSize, allocatedSize: file.allocated, details, problems: p.list };
  if (d.createType) r.subformat = d.createType;
  return r;
}
