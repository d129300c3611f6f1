import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { lstat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiError, MAX_NEW_IMAGE_BYTES, type NewImageFormat } from '../../api/index.js';
import type { StoredVm } from '../store.js';
import type { StoragePool } from './file.js';
import { checkImageName, linkAsNew, type PoolImage, poolImage, UPLOAD_TEMP_PREFIX } from './images.js';

/** The smallest new image: 1 MiB. */
const MIN_BYTES = 1n << 20n;

/** Runs qemu-img with `args` (no shell); rejects with its stderr's last line. */
function qemuImg(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('qemu-img', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => {
      if (err.length < 4096) err += c.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(err.trim().split('\n').pop() || `qemu-img exited ${code}`)),
    );
  });
}

/**
 * Creates an empty image in a pool: `qemu-img create` writes it under a temporary name in the pool's folder (a
 * name of the pool's own, no user text reaches qemu-img's filename parsing), then it is linked under `name`, never
 * replacing a file (`ALREADY_EXISTS`); nothing is left behind on failure. The size is a multiple of 512 bytes from
 * 1 MiB to {@link MAX_NEW_IMAGE_BYTES}; a raw image is sparse, so neither format takes the space until written,
 * unless `preallocate` asks for the space now (`preallocation=falloc`: a full file system refuses it at once).
 *
 * @example
 * await createPoolImage(pool, 'data.qcow2', 10n << 30n, 'qcow2', vms);
 */
export async function createPoolImage(
  pool: StoragePool,
  name: string,
  sizeBytes: bigint,
  format: NewImageFormat,
  vms: readonly StoredVm[],
  options: { preallocate?: boolean } = {},
): Promise<PoolImage> {
  checkImageName(name);
  if (sizeBytes < MIN_BYTES || sizeBytes > MAX_NEW_IMAGE_BYTES || sizeBytes % 512n !== 0n)
    throw new ApiError(
      'INVALID_ARGUMENT',
      `Cannot create the image "${name.slice(0, 80)}": ${sizeBytes} bytes is not a multiple of 512 from 1 MiB to 64 TiB`,
    );
  if (format !== 'qcow2' && format !== 'raw')
    throw new ApiError(
      'INVALID_ARGUMENT',
      `"${String(format).slice(0, 20)}" is not a format of a new image (qcow2, raw)`,
    );
  const final = join(pool.path, name);
  const exists = () =>
    new ApiError('ALREADY_EXISTS', `The storage pool "${pool.name}" has an image "${name}" already`, {
      hint: 'Delete it first, or choose another name',
      detail: { domain: 'host', code: 'IMAGE_EXISTS' },
    });
  if ((await lstat(final).catch(() => undefined)) !== undefined) throw exists();
  const temp = join(pool.path, `${UPLOAD_TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
  try {
    try {
      const prealloc = options.preallocate === true ? ['-o', 'preallocation=falloc'] : [];
      await qemuImg(['create', '-q', '-f', format, ...prealloc, temp, String(sizeBytes)]);
    } catch (e) {
      throw new ApiError(
        'HOST_STORE',
        `Cannot create the image "${name}" in the storage pool "${pool.name}": ${(e as Error).message}`,
        { cause: e, detail: { domain: 'host', code: 'IMAGE_CREATE' } },
      );
    }
    await linkAsNew(temp, final, exists);
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  return poolImage(pool, name, vms);
}
