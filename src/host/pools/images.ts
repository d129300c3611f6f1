import { createHash, randomBytes } from 'node:crypto';
import { constants, type Dirent, opendirSync, realpathSync } from 'node:fs';
import { link, lstat, open, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ApiError } from '../../api/index.js';
import { probe } from '../../disk/index.js';
import { imagePath, readDevices } from '../../model/index.js';
import { EXPORT_TEMP_PREFIX } from '../export/staging.js';
import type { StoredVm } from '../store.js';
import type { StoragePool } from './file.js';
import { refuseExternalReferences } from './references.js';
import { MAX_COUNTED_ENTRIES } from './usage.js';

/**
 * The images of a storage pool: the regular files directly in its folder (and block devices where the pool allows
 * them), listed with their probed format and the systems that use them; uploaded under a temporary name,
 * checked (size, SHA-256, no references to other files) and linked into place without replacing anything;
 * downloaded without following a symlink; deleted unless a defined system uses them.
 */

/** An image of a pool, as `pools.images` answers it. */
export interface PoolImage {
  name: string;
  /** The file's size (0 for a block device). */
  sizeBytes: bigint;
  /** The format the native probe finds (`qcow2`, `vmdk`, `raw`, ...), `unknown` when it cannot be read. */
  format: string;
  virtualSizeBytes: bigint | undefined;
  /** The names of the defined systems whose drives use it. */
  usedBy: string[];
  /** When the file last changed (RFC 3339), for a regular file. */
  modifiedAt: string | undefined;
}

/** What every temporary name of an upload starts with: never listed, never a name an upload may take. */
export const UPLOAD_TEMP_PREFIX = '.vessel-upload-';

const NOT_FOUND = (pool: StoragePool, name: string) =>
  new ApiError('NOT_FOUND', `No image "${name.slice(0, 255)}" in the storage pool "${pool.name}"`, {
    detail: { domain: 'host', code: 'IMAGE_NOT_FOUND' },
  });

/**
 * Refuses a name that is not one file name of the pool's folder: empty, `.` or `..`, with a slash or a NUL, longer
 * than 255 bytes, or the upload's own temporary prefix.
 */
export function checkImageName(name: string): void {
  const bad =
    name === '' ||
    name === '.' ||
    name === '..' ||
    name.includes('/') ||
    name.includes('\0') ||
    Buffer.byteLength(name) > 255 ||
    name.startsWith(UPLOAD_TEMP_PREFIX);
  if (bad) {
    throw new ApiError(
      'INVALID_ARGUMENT',
      `${JSON.stringify(name.slice(0, 80))} is not an image name: one file name (no slash), not "." or "..", at most 255 bytes`,
    );
  }
}

function realOrUndefined(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/** Real path of each image a defined system's drives name -> the systems' names. */
function usersByPath(vms: readonly StoredVm[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const vm of vms) {
    for (const d of readDevices(vm.definition).drives) {
      const path = imagePath(d.hostResource);
      if (path === undefined) continue;
      for (const p of new Set([resolve(path), realOrUndefined(path)])) {
        if (p === undefined) continue;
        const list = out.get(p) ?? [];
        if (!list.includes(vm.name)) list.push(vm.name);
        out.set(p, list);
      }
    }
  }
  return out;
}

async function describeImage(path: string, name: string, isFile: boolean, users: Map<string, string[]>) {
  const st = await lstat(path);
  let format = 'unknown';
  let virtualSizeBytes: bigint | undefined;
  if (isFile) {
    try {
      const p = await probe(path);
      format = p.format;
      virtualSizeBytes = BigInt(p.virtualSize);
    } catch {
      // unreadable: listed as unknown
    }
  }
  const real = realOrUndefined(path) ?? path;
  return {
    name,
    sizeBytes: isFile ? BigInt(st.size) : 0n,
    format,
    virtualSizeBytes,
    usedBy: [...new Set([...(users.get(path) ?? []), ...(users.get(real) ?? [])])].sort(),
    modifiedAt: isFile ? st.mtime.toISOString() : undefined,
  } satisfies PoolImage;
}

/**
 * The images of a pool, by name: regular files directly in its folder (block devices too where it allows them;
 * no symlinks, folders or upload temporaries), at most {@link MAX_COUNTED_ENTRIES} entries read.
 *
 * @example
 * for (const i of await poolImages(pool, store.listVms())) console.log(i.name, i.format, i.usedBy);
 */
export async function poolImages(pool: StoragePool, vms: readonly StoredVm[]): Promise<PoolImage[]> {
  const entries: Dirent[] = [];
  const dir = opendirSync(pool.path);
  try {
    for (let seen = 0; seen < MAX_COUNTED_ENTRIES; seen++) {
      const e = dir.readSync();
      if (e === null) break;
      // Temporaries of an upload or of an export to the pool are not images (yet).
      if (e.name.startsWith(UPLOAD_TEMP_PREFIX) || e.name.startsWith(EXPORT_TEMP_PREFIX)) continue;
      if (e.isFile() || (pool.allowDevices && e.isBlockDevice())) entries.push(e);
    }
  } finally {
    dir.closeSync();
  }
  const users = usersByPath(vms);
  const out: PoolImage[] = [];
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    try {
      out.push(await describeImage(join(pool.path, e.name), e.name, e.isFile(), users));
    } catch {
      // removed while listed
    }
  }
  return out;
}

/** One image of a pool (see {@link poolImages}); `NOT_FOUND` when there is no such image. */
export async function poolImage(
  pool: StoragePool,
  name: string,
  vms: readonly StoredVm[],
): Promise<PoolImage> {
  checkImageName(name);
  const path = join(pool.path, name);
  const st = await lstat(path).catch(() => undefined);
  if (st === undefined || !(st.isFile() || (pool.allowDevices && st.isBlockDevice())))
    throw NOT_FOUND(pool, name);
  return describeImage(path, name, st.isFile(), usersByPath(vms));
}

/** What an upload promises about its bytes. */
export interface UploadExpectation {
  sha256?: string | undefined;
  sizeBytes?: bigint | undefined;
}

/** Writes the body to `path` (created exclusively, 0600), counting and hashing; refuses more than `max` bytes. */
async function receive(path: string, body: AsyncIterable<Uint8Array>, max: bigint | undefined) {
  const hash = createHash('sha256');
  let size = 0n;
  const fh = await open(path, 'wx', 0o600);
  try {
    for await (const chunk of body) {
      size += BigInt(chunk.length);
      if (max !== undefined && size > max) {
        throw new ApiError('LIMIT_EXCEEDED', `The upload is longer than the ${max} bytes it announced`, {
          detail: { domain: 'host', code: 'UPLOAD_TOO_LONG' },
        });
      }
      hash.update(chunk);
      await fh.write(chunk);
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
  return { size, sha256: hash.digest('hex') };
}

/**
 * Gives a finished temporary file of a pool its final name with a hard link, which never replaces what is there:
 * a name taken meanwhile (a file, or a link someone planted) is `exists()`, and the caller removes the temporary.
 *
 * @example
 * await linkAsNew(temp, join(pool.path, name), () => new ApiError('ALREADY_EXISTS', `"${name}" exists`));
 */
export async function linkAsNew(temp: string, final: string, exists: () => Error): Promise<void> {
  try {
    await link(temp, final);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw exists();
    throw e;
  }
}

/**
 * Uploads an image into a pool: the bytes go to a temporary file of the pool's folder; the size and SHA-256 the
 * caller announced are checked, then the image is refused when it refers to other files (`IMAGE_REFERENCES`, as
 * every image an admin names), and only then linked under its name, never replacing an existing file
 * (`ALREADY_EXISTS`). Nothing is left behind on failure.
 *
 * @example
 * await uploadPoolImage(pool, 'web.qcow2', createReadStream('web.qcow2'), { sizeBytes: 196_616n }, vms);
 */
export async function uploadPoolImage(
  pool: StoragePool,
  name: string,
  body: AsyncIterable<Uint8Array>,
  expect: UploadExpectation,
  vms: readonly StoredVm[],
): Promise<PoolImage> {
  checkImageName(name);
  const final = join(pool.path, name);
  const exists = () =>
    new ApiError('ALREADY_EXISTS', `The storage pool "${pool.name}" has an image "${name}" already`, {
      hint: 'Delete it first, or upload under another name',
      detail: { domain: 'host', code: 'IMAGE_EXISTS' },
    });
  if ((await lstat(final).catch(() => undefined)) !== undefined) throw exists();
  const temp = join(pool.path, `${UPLOAD_TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
  try {
    const got = await receive(temp, body, expect.sizeBytes);
    if (expect.sizeBytes !== undefined && got.size !== expect.sizeBytes)
      throw new ApiError(
        'INVALID_ARGUMENT',
        `The upload of "${name}" ended after ${got.size} bytes; ${expect.sizeBytes} were announced`,
      );
    if (expect.sha256 !== undefined && got.sha256 !== expect.sha256.toLowerCase())
      throw new ApiError(
        'INVALID_ARGUMENT',
        `The upload of "${name}" has the SHA-256 ${got.sha256}, not the ${expect.sha256} announced`,
      );
    await refuseExternalReferences(
      temp,
      name,
      `Cannot upload "${name}" to the storage pool "${pool.name}": it`,
    );
    await linkAsNew(temp, final, exists);
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  return poolImage(pool, name, vms);
}

/**
 * The bytes of a pool's image: a regular file with one name directly in the pool's folder, opened without
 * following a symlink (a link planted in the pool never leads a download elsewhere), from byte `offset` on (a
 * resumed download reads only what it lacks).
 *
 * @example
 * for await (const chunk of await downloadPoolImage(pool, 'web.qcow2')) out.write(chunk);
 */
export async function downloadPoolImage(
  pool: StoragePool,
  name: string,
  offset = 0n,
): Promise<AsyncIterable<Uint8Array>> {
  checkImageName(name);
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(
      join(pool.path, name),
      constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY,
    );
  } catch {
    throw NOT_FOUND(pool, name);
  }
  const st = await fh.stat();
  if (!st.isFile() || st.nlink > 1) {
    await fh.close();
    throw new ApiError(
      'IMAGE_UNSAFE',
      `The image "${name}" of the storage pool "${pool.name}" is not a regular file with one name; it is not downloaded`,
    );
  }
  if (offset < 0n || offset > BigInt(Number.MAX_SAFE_INTEGER)) {
    await fh.close();
    throw new ApiError('INVALID_ARGUMENT', `Offset ${offset} is out of range`);
  }
  // Past the end there is nothing left to send: an empty stream, as a resumed download that had it all.
  if (offset >= BigInt(st.size)) {
    await fh.close();
    return (async function* () {})();
  }
  return fh.createReadStream({ start: Number(offset) });
}

/**
 * Deletes an image of a pool (a file or a symlink directly in its folder; a symlink goes, not what it points
 * to); refused with `INVALID_STATE` while a defined system uses it.
 */
export async function deletePoolImage(
  pool: StoragePool,
  name: string,
  vms: readonly StoredVm[],
): Promise<void> {
  checkImageName(name);
  const path = join(pool.path, name);
  const st = await lstat(path).catch(() => undefined);
  if (st === undefined || st.isDirectory()) throw NOT_FOUND(pool, name);
  const users = usersByPath(vms);
  // A symlink's target is not the symlink: only the systems that name the link itself keep it.
  const keys = st.isSymbolicLink() ? [path] : [path, realOrUndefined(path) ?? path];
  const using = [...new Set(keys.flatMap((k) => users.get(k) ?? []))];
  if (using.length > 0) {
    throw new ApiError(
      'INVALID_STATE',
      `Cannot delete the image "${name}" of the storage pool "${pool.name}": ${using.map((u) => `"${u}"`).join(', ')} use${using.length === 1 ? 's' : ''} it`,
      { hint: 'Remove it from those systems first' },
    );
  }
  await unlink(path);
}
