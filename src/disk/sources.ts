/**
 * Reading the guest data of a source image in order, for the streamOptimized encoder: raw and qcow2 natively;
 * any other format (and qcow2 features the native reader declines) through `qemu-img convert` to a temporary
 * raw file, which costs one extra write and read of the data.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BlockSource, RawSource } from './block-source.js';
import { DiskError } from './errors.js';
import { openImage } from './file-io.js';
import { probe } from './probe.js';
import { parseQcow2Header } from './qcow2.js';
import { Qcow2Source, qcow2NativeObstacle } from './qcow2-reader.js';
import { qemuConvert } from './qemu-img.js';
import { RawSink } from './sinks.js';
import type { ProgressFn } from './types.js';
import { readStreamVmdk } from './vmdk/decoder.js';

/** Options of {@link openSource}. */
export interface OpenSourceOptions {
  /** Where a temporary raw copy goes when one is needed (default: the system temp directory). */
  tmpDir?: string;
  signal?: AbortSignal;
  onProgress?: ProgressFn;
}

/** Opens an image of any supported format as a {@link BlockSource}. */
export async function openSource(path: string, o: OpenSourceOptions = {}): Promise<BlockSource> {
  const info = await probe(path);
  const broken = info.problems.find((p) => p.severity === 'error');
  if (broken)
    throw new DiskError('DISK_CORRUPT', `Cannot read "${path}": ${broken.message}`, {
      location: { file: path },
      offset: broken.offset,
    });
  const file = await openImage(path);
  try {
    if (info.format === 'raw' || info.format === 'iso') return new RawSource(file);
    if (info.format === 'qcow2' && !qcow2NativeObstacle(parseQcow2Header(await file.read(0, 4096))))
      return await Qcow2Source.open(file);
  } catch (err) {
    await file.close();
    throw err;
  }
  await file.close();
  if (info.format === 'gzip' || info.format === 'tar')
    throw new DiskError('DISK_UNSUPPORTED', `"${path}" is a ${info.format} file, not a disk image`);
  return viaTemporaryRaw(path, info.format === 'vmdk-stream', o);
}

async function viaTemporaryRaw(path: string, stream: boolean, o: OpenSourceOptions): Promise<BlockSource> {
  const dir = await mkdtemp(join(o.tmpDir ?? tmpdir(), 'vessel-disk-'));
  const tmp = join(dir, 'source.raw');
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    if (stream) {
      const { createReadStream } = await import('node:fs');
      const opts = { name: path, ...(o.signal ? { signal: o.signal } : {}) };
      await readStreamVmdk(
        createReadStream(path, { highWaterMark: 1 << 20 }),
        () => RawSink.create(tmp),
        opts,
      );
    } else await qemuConvert(path, tmp, 'raw', o);
    return new RawSource(await openImage(tmp), cleanup);
  } catch (err) {
    await cleanup();
    throw err;
  }
}
