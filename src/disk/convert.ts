/**
 * `convert(input, output, format)`: the native engine where it has the format (streamOptimized VMDK in both
 * directions, raw and qcow2 out of a stream), `qemu-img convert` for the rest. The output is written under a
 * temporary name in the same directory and renamed at the end, so a failed or cancelled run leaves nothing.
 * The input is untrusted: an image that names other files is refused (`DISK_EXTERNAL_REFERENCE`) before
 * anything reads it, and qemu-img opens it only through a pinned block spec (see qemu-img.ts).
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, open, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { DiskError, ioError } from './errors.js';
import type { DiskFormat, TargetFormat } from './formats.js';
import { qemuConvert } from './qemu-img.js';
import { assertSelfContained } from './self-contained.js';
import { convertSinkFor } from './sink-factory.js';
import type { SinkFactory } from './sinks.js';
import type { ProbeResult, ProgressFn } from './types.js';
import { readStreamVmdk } from './vmdk/decoder.js';
import type { AdapterType } from './vmdk/descriptor.js';
import { encodeStreamVmdk, type StreamVmdkEncoder } from './vmdk/encoder.js';

/** Options of {@link convert}. */
export interface ConvertOptions {
  /** Controller for VMDK targets; default `lsilogic` for streamOptimized, qemu-img's `ide` for sparse. */
  adapterType?: AdapterType;
  /** zlib level for a streamOptimized target (see DEFAULT_LEVEL). */
  level?: number;
  /** Compression threads; default one per core. */
  threads?: number;
  signal?: AbortSignal;
  onProgress?: ProgressFn;
  /** Where temporary files go when a conversion needs one (default: the system temp directory). */
  tmpDir?: string;
}

/** What {@link convert} did. */
export interface ConvertResult {
  from: DiskFormat;
  format: TargetFormat;
  virtualSize: number;
  /** Size of the output file in bytes. */
  bytes: number;
  /** Which engine did the work. */
  engine: 'native' | 'qemu-img' | 'native+qemu-img';
}

/** Converts the image at `input` (format probed) to `output` in `format`. */
export async function convert(
  input: string,
  output: string,
  format: TargetFormat,
  o: ConvertOptions = {},
): Promise<ConvertResult> {
  await checkDistinct(input, output);
  const info = await assertSelfContained(input);
  const bad = info.problems.find((p) => p.severity === 'error');
  if (bad)
    throw new DiskError('DISK_CORRUPT', `Cannot convert "${input}": ${bad.message}`, {
      offset: bad.offset,
      location: { file: input },
    });
  if (info.format === 'gzip' || info.format === 'tar')
    throw new DiskError(
      'DISK_UNSUPPORTED',
      `"${input}" is a ${info.format} file; extract the disk image first`,
    );
  const tmp = join(
    dirname(resolve(output)),
    `.${basename(output)}.${randomBytes(4).toString('hex')}.partial`,
  );
  try {
    const engine = await convertTo(input, tmp, format, info, o, basename(output));
    await rename(tmp, output).catch((err) => {
      throw ioError(err, output, 'write');
    });
    const bytes = (await stat(output)).size;
    return { from: info.format, format, virtualSize: info.virtualSize, bytes, engine };
  } finally {
    await rm(tmp, { force: true });
  }
}

async function convertTo(
  input: string,
  out: string,
  format: TargetFormat,
  info: ProbeResult,
  o: ConvertOptions,
  name: string,
): Promise<ConvertResult['engine']> {
  const qemuOpts = {
    from: info.format,
    virtualSize: info.virtualSize,
    ...(o.adapterType ? { adapterType: o.adapterType } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
  };
  if (format === 'vmdk-stream') {
    await writeEncoded(encodeStreamVmdk(input, { ...o, fileName: name, references: 'refuse' }), out);
    return info.format === 'raw' || info.format === 'qcow2' ? 'native' : 'native+qemu-img';
  }
  if (info.format === 'vmdk-stream') {
    if (format === 'raw' || format === 'qcow2') {
      await decodeFile(input, convertSinkFor(format, out), o);
      return 'native';
    }
    const dir = await mkdtemp(join(o.tmpDir ?? tmpdir(), 'vessel-disk-'));
    try {
      const mid = join(dir, 'stream.qcow2');
      await decodeFile(input, convertSinkFor('qcow2', mid), o);
      await qemuConvert(mid, out, format, { ...qemuOpts, from: 'qcow2' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    return 'native+qemu-img';
  }
  await qemuConvert(input, out, format, qemuOpts);
  return 'qemu-img';
}

function decodeFile(input: string, sink: SinkFactory, o: ConvertOptions) {
  return readStreamVmdk(createReadStream(input, { highWaterMark: 1 << 20 }), sink, {
    name: input,
    ...(o.threads ? { threads: o.threads } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
  });
}

/** Writes everything an encoder produces to `path`; returns the byte count. */
export async function writeEncoded(enc: StreamVmdkEncoder, path: string): Promise<number> {
  const fh = await open(path, 'w').catch((err) => {
    throw ioError(err, path, 'create');
  });
  try {
    for await (const chunk of enc) {
      try {
        await fh.write(chunk);
      } catch (err) {
        throw ioError(err, path, 'write');
      }
    }
  } finally {
    await fh.close();
  }
  return (await enc.result).bytes;
}

async function checkDistinct(input: string, output: string): Promise<void> {
  const a = await stat(input).catch((err) => {
    throw ioError(err, input, 'read');
  });
  const b = await stat(output).catch(() => undefined);
  if (b && a.dev === b.dev && a.ino === b.ino)
    throw new DiskError('USAGE_DISK', `The input and output are the same file ("${input}")`);
  if (b && !b.isFile())
    throw new DiskError('USAGE_DISK', `The output "${output}" exists and is not a regular file`, {
      hint: 'convert() writes a new file and renames it into place; it does not write to devices',
    });
}
