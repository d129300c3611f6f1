import { execFile } from 'node:child_process';
import { open, rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { convert, DiskError, decodeStreamVmdk, probe, referenceError } from '../../disk/index.js';
import { HostError } from '../errors.js';

const run = promisify(execFile);

/**
 * Disks of a deploy, written into the host's store as qcow2 in one pass over the package: a streamOptimized VMDK
 * is decoded as it streams out of the archive by the native decoder; any other image (sparse VMDK, qcow2, VHD,
 * VHDX, VDI, raw) is written out once and converted by qemu-img; a disk with no file is created empty. Images
 * that could read host files (VMDK descriptors naming extents, qcow2 with a backing or external data file) are
 * refused. The result is then checked against, and grown to, the capacity the descriptor declares.
 */

/** The largest disk a deploy creates: 64 TiB (what qcow2 with 64 KiB clusters addresses in practice). */
export const MAX_DEPLOY_CAPACITY = 64n << 40n;

const VMDK_MAGIC = 0x564d444b; // "KDMV" little-endian
const FLAG_COMPRESSED = 1 << 16;

/** Yields the first bytes (at least `min`, unless the stream is shorter), then everything, unchanged. */
async function peek(
  source: AsyncIterable<Buffer>,
  min: number,
): Promise<{ head: Buffer; rest: AsyncIterable<Buffer> }> {
  const it = source[Symbol.asyncIterator]();
  const got: Buffer[] = [];
  let n = 0;
  let done = false;
  while (n < min) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    got.push(r.value);
    n += r.value.length;
  }
  const head = Buffer.concat(got);
  async function* rest(): AsyncGenerator<Buffer> {
    if (head.length) yield head;
    if (done) return;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  }
  return { head, rest: rest() };
}

/** True when the bytes start a sparse VMDK extent with deflate-compressed grains (streamOptimized). */
function isStreamVmdk(head: Buffer): boolean {
  if (head.length < 80 || head.readUInt32LE(0) !== VMDK_MAGIC) return false;
  const flags = head.readUInt32LE(8);
  const compress = head.readUInt16LE(77);
  return (flags & FLAG_COMPRESSED) !== 0 && compress === 1;
}

/** Options of {@link stageDisk}. */
interface StageDiskOptions {
  /** Name in messages: the href of the file in the package. */
  name: string;
  /** Counts the bytes read from the package, for progress. */
  onBytes?: (n: number) => void;
  signal?: AbortSignal;
}

async function* counted(src: AsyncIterable<Buffer>, onBytes?: (n: number) => void): AsyncGenerator<Buffer> {
  for await (const c of src) {
    onBytes?.(c.length);
    yield c;
  }
}

/**
 * Refuses a package's disk that names other files (a VMDK extent, embedded descriptor or parent, a qcow2
 * backing or data file, a VHD/VHDX/VDI parent, ...: see src/disk/references.ts), then one that is corrupt or
 * not a disk image. `path` is the staged copy, `name` the package file.
 */
async function checkSelfContained(path: string, name: string): Promise<void> {
  const info = await probe(path);
  const ref = referenceError(info, name);
  if (ref) throw refusal(ref);
  const bad = info.problems.find((p) => p.severity === 'error');
  if (bad) throw new HostError('DEPLOY_DISK', `Disk "${name}" is not a usable image: ${bad.message}`);
  if (info.format === 'gzip' || info.format === 'tar' || info.format === 'iso') {
    throw new HostError('DEPLOY_DISK', `Disk "${name}" is a ${info.format} file, not a disk image`);
  }
}

/** A reference the disk engine refused (`Image "disk1.vmdk" refers to ...`) as a deploy error; others as they are. */
function refusal(err: unknown): unknown {
  if (!(err instanceof DiskError) || err.code !== 'DISK_EXTERNAL_REFERENCE') return err;
  return new HostError('DEPLOY_DISK', err.message, {
    cause: err,
    hint: "a package's disks must be self-contained; make the image whole where it was built",
  });
}

/**
 * Writes one disk file's content to `out` as qcow2 and returns its virtual size in bytes.
 *
 * @example
 * const size = await stageDisk(file.body, '/var/lib/vessel/deploy/j/vm/disk-1.qcow2', { name: 'disk1.vmdk' });
 */
export async function stageDisk(
  body: AsyncIterable<Buffer>,
  out: string,
  o: StageDiskOptions,
): Promise<number> {
  const { head, rest } = await peek(counted(body, o.onBytes), 512);
  if (isStreamVmdk(head)) {
    const r = await decodeStreamVmdk(rest, out, {
      format: 'qcow2',
      name: o.name,
      ...(o.signal ? { signal: o.signal } : {}),
    }).catch((err: unknown) => {
      throw refusal(err);
    });
    return r.virtualSize;
  }
  const raw = `${out}.source`;
  try {
    const fh = await open(raw, 'wx', 0o600);
    try {
      for await (const c of rest) await fh.write(c);
    } finally {
      await fh.close();
    }
    await checkSelfContained(raw, o.name);
    const r = await convert(raw, out, 'qcow2', o.signal ? { signal: o.signal } : {});
    return r.virtualSize;
  } finally {
    await rm(raw, { force: true });
  }
}

function qemuImgError(e: unknown, what: string): HostError {
  const err = e as { stderr?: string; message?: string };
  return new HostError('DEPLOY_DISK', `${what}: ${(err.stderr || err.message || String(e)).trim()}`, {
    cause: e,
  });
}

/** Creates an empty qcow2 disk of `bytes` (a disk the package declares without a file, DSP0243 §9.1). */
export async function createEmptyDisk(out: string, bytes: bigint): Promise<void> {
  try {
    await run('qemu-img', ['create', '-q', '-f', 'qcow2', out, String(roundUp512(bytes))], {
      timeout: 60_000,
    });
  } catch (e) {
    throw qemuImgError(e, `Cannot create the empty disk ${out}`);
  }
}

const roundUp512 = (n: bigint) => ((n + 511n) / 512n) * 512n;

/**
 * Checks a staged disk against the capacity the descriptor declares: a larger image is refused (the capacity
 * would cut the guest's data), a smaller one is grown to it (qcow2 grows without writing data).
 */
export async function fitCapacity(path: string, virtualSize: number, capacity: bigint, name: string) {
  const want = roundUp512(capacity);
  if (BigInt(virtualSize) > want) {
    throw new HostError(
      'DEPLOY_DISK',
      `Disk "${name}" holds ${virtualSize} bytes, more than the ${capacity} bytes of capacity the descriptor declares`,
    );
  }
  if (BigInt(virtualSize) === want) return;
  try {
    await run('qemu-img', ['resize', '-q', '-f', 'qcow2', path, String(want)], { timeout: 60_000 });
  } catch (e) {
    throw qemuImgError(e, `Cannot grow ${path} to its declared capacity`);
  }
}
