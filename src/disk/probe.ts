/**
 * `probe(path)`: what an image is, judged by its bytes and never by its name: format, virtual size, allocated
 * size, and problems. Quick by default (headers and tables only); `deep` also decodes every grain of a
 * streamOptimized VMDK, inflates a gzip file and runs `qemu-img check` where it applies.
 */
import { detectFormat } from './detect.js';
import { type ImageFile, openImage } from './file-io.js';
import { probeGzip } from './gzip.js';
import { probeIso } from './iso.js';
import type { ProbeContext } from './probe-context.js';
import { probeQcow2 } from './qcow2.js';
import { qemuCheck } from './qemu-img.js';
import { describeReference, type ImageReference } from './reference-kinds.js';
import { findReferences } from './references.js';
import { type ProbeResult, Problems } from './types.js';
import { probeVdi } from './vdi.js';
import { probeVhd } from './vhd.js';
import { probeVhdx } from './vhdx.js';
import { probeSparseVmdk, probeTextVmdk } from './vmdk/probe.js';

/** Options of {@link probe}. */
export interface ProbeOptions {
  /** Also run the slow checks: decode every grain, inflate gzip, `qemu-img check`. Default false. */
  deep?: boolean;
}

/** The shortest header each format needs before its fields can be read. */
const MIN_HEADER: Record<string, number> = { qcow2: 104, 'vmdk-sparse': 512, vhd: 512, vdi: 0x190 };

/**
 * Probes the image at `path`. Throws only when the file cannot be read (`FILE_NOT_FOUND`, `IO_DISK`); a corrupt
 * image is reported through `problems` with severity `error`.
 *
 * @example
 * const info = await probe('disk.vmdk');
 * if (info.problems.some((p) => p.severity === 'error')) throw new Error('corrupt');
 */
export async function probe(path: string, options: ProbeOptions = {}): Promise<ProbeResult> {
  const file = await openImage(path);
  try {
    const head = await file.read(0, 64 << 10);
    const tail = file.size >= 512 ? await file.read(file.size - 512, 512) : undefined;
    const ctx: ProbeContext = { file, head, problems: new Problems(), deep: options.deep ?? false };
    const refs = await referencesOf(file, head, tail);
    const kind = detectFormat(head, tail);
    const min = MIN_HEADER[kind];
    let r: Omit<ProbeResult, 'path' | 'fileSize' | 'references'>;
    if (min !== undefined && head.length < min && !(kind === 'qcow2' && head.length >= 72)) {
      ctx.problems.error(
        'TRUNCATED_HEADER',
        `The file is too short (${head.length} bytes) for a ${kind} header`,
        0,
      );
      const format = kind === 'vmdk-sparse' ? 'vmdk' : (kind as 'qcow2' | 'vhd' | 'vdi');
      r = { format, virtualSize: 0, allocatedSize: file.allocated, details: {}, problems: ctx.problems.list };
    } else r = await probeSafely(ctx, kind);
    // qemu-img check never sees an image that names other files: it could open them.
    if (ctx.deep && !ctx.problems.failed && !refs.failed && QEMU_CHECKED.includes(r.format)) {
      const check = await qemuCheck(path, r.format);
      for (const e of check.errors) ctx.problems.error('QEMU_CHECK', e);
      for (const w of check.warnings) ctx.problems.warn('QEMU_CHECK', w);
    }
    const problems = [...refs.problems.list, ...ctx.problems.list];
    return { path, fileSize: file.size, ...r, references: refs.list, problems };
  } finally {
    await file.close();
  }
}

/** The references of the image, each also as a `DISK_EXTERNAL_REFERENCE` error; unreadable ones are an error too. */
async function referencesOf(file: ImageFile, head: Buffer, tail: Buffer | undefined) {
  const problems = new Problems();
  let list: ImageReference[] = [];
  try {
    list = await findReferences(file, head, tail);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    problems.error(
      'DISK_EXTERNAL_REFERENCE',
      `The headers that could name other files are unreadable: ${err.message}`,
    );
  }
  for (const ref of list)
    problems.error(
      'DISK_EXTERNAL_REFERENCE',
      `The image refers to another file: ${describeReference(ref)}`,
      ref.offset,
    );
  return { list, problems, failed: problems.failed };
}

/** Runs a format prober; a field pointing outside the bytes read means a corrupt header, never a crash. */
async function probeSafely(ctx: ProbeContext, kind: ReturnType<typeof detectFormat>) {
  try {
    return await probeKind(ctx, kind);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    ctx.problems.error(
      'HEADER_INCONSISTENT',
      `The ${kind} structures point outside the data read: ${err.message}`,
    );
    const format =
      kind === 'vmdk-sparse' || kind === 'vmdk-text' ? 'vmdk' : kind === 'vhd-fixed' ? 'vhd' : kind;
    return {
      format,
      virtualSize: 0,
      allocatedSize: ctx.file.allocated,
      details: {},
      problems: ctx.problems.list,
    } as Omit<ProbeResult, 'path' | 'fileSize' | 'references'>;
  }
}

/** Formats `qemu-img check` understands. */
const QEMU_CHECKED: string[] = ['qcow2', 'vmdk', 'vhdx', 'vdi'];

function probeKind(ctx: ProbeContext, kind: ReturnType<typeof detectFormat>) {
  switch (kind) {
    case 'qcow2':
      return probeQcow2(ctx);
    case 'vmdk-sparse':
      return probeSparseVmdk(ctx);
    case 'vmdk-text':
      return probeTextVmdk(ctx);
    case 'vhd':
    case 'vhd-fixed':
      return probeVhd(ctx);
    case 'vhdx':
      return probeVhdx(ctx);
    case 'vdi':
      return probeVdi(ctx);
    case 'iso':
      return probeIso(ctx);
    case 'gzip':
      return probeGzip(ctx);
    case 'tar':
      return Promise.resolve({
        format: 'tar' as const,
        virtualSize: 0,
        allocatedSize: ctx.file.allocated,
        details: { firstMember: ctx.head.toString('utf8', 0, 100).replace(/\0.*$/s, '') },
        problems: ctx.problems.list,
      });
    default:
      return Promise.resolve({
        format: 'raw' as const,
        virtualSize: ctx.file.size,
        allocatedSize: ctx.file.allocated,
        details: {},
        problems: ctx.problems.list,
      });
  }
}
