/**
 * Reading the guest data of a source image in order, for the streamOptimized encoder: raw and qcow2 natively;
 * any other format (and qcow2 features the native reader declines) through `qemu-img convert` to a temporary
 * raw file, which costs one extra write and read of the data. An image that names other files is refused, or,
 * when the caller says it is the host's own chain (`references: 'follow'`), read through its pinned chain.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BlockSource, RawSource } from './block-source.js';
import { DiskError } from './errors.js';
import { openImage } from './file-io.js';
import { parseQcow2Header } from './qcow2.js';
import { Qcow2Source, qcow2NativeObstacle } from './qcow2-reader.js';
import { type ChainImage, qemuConvert } from './qemu-img.js';
import { assertSelfContained, trustedChain } from './self-contained.js';
import { RawSink } from './sinks.js';
import type { ProgressFn } from './types.js';
import { readStreamVmdk } from './vmdk/decoder.js';

/** Options of {@link openSource}. */
export interface OpenSourceOptions {
  /** Where a temporary raw copy goes when one is needed (default: the system temp directory). */
  tmpDir?: string;
  signal?: AbortSignal;
  onProgress?: ProgressFn;
  /**
   * What to do with an image that names other files: `refuse` (`DISK_EXTERNAL_REFERENCE`), or `follow` a
   * qcow2 backing chain the host made itself (a VM's overlay on its base image; see `trustedChain`), with
   * every image of it probed and pinned. Default `refuse`: only the host's exports of its own overlays, and a
   * user packing their own images with their own rights, pass `follow`.
   */
  references?: 'refuse' | 'follow';
}

/** Opens an image of any supported format as a {@link BlockSource}. */
export async function openSource(path: string, o: OpenSourceOptions = {}): Promise<BlockSource> {
  const { info, chain } =
    o.references !== 'follow'
      ? { info: await assertSelfContained(path), chain: [] }
      : await trustedChain(path);
  const broken = info.problems.find((p) => p.severity === 'error' && p.code !== 'DISK_EXTERNAL_REFERENCE');
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
  return viaTemporaryRaw(path, chain.length > 0 ? chain : [{ path, format: info.format }], o);
}

async function viaTemporaryRaw(
  path: string,
  chain: ChainImage[],
  o: OpenSourceOptions,
): Promise<BlockSource> {
  const [top, ...backing] = chain as [ChainImage, ...ChainImage[]];
  const dir = await mkdtemp(join(o.tmpDir ?? tmpdir(), 'vessel-disk-'));
  const tmp = join(dir, 'source.raw');
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    if (top.format === 'vmdk-stream') {
      const { createReadStream } = await import('node:fs');
      const opts = { name: path, ...(o.signal ? { signal: o.signal } : {}) };
      await readStreamVmdk(
        createReadStream(path, { highWaterMark: 1 << 20 }),
        () => RawSink.create(tmp),
        opts,
      );
    } else await qemuConvert(path, tmp, 'raw', { ...qemuOptions(o), from: top.format, backing });
    return new RawSource(await openImage(tmp), cleanup);
  } catch (err) {
    await cleanup();
    throw err;
  }
}

function qemuOptions(o: OpenSourceOptions) {
  return { ...(o.signal ? { signal: o.signal } : {}), ...(o.onProgress ? { onProgress: o.onProgress } : {}) };
}
