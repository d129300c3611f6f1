import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiError } from '../api/index.js';

/**
 * Uploaded packages: what a caller streams to `packages.deploy` or `packages.inspect` is written to a private
 * folder of its own, `STATE/uploads/RANDOM/` (0700, the file 0600, created exclusively), read from there by the
 * deploy as any package, and removed when the call or job ends; what a killed host left is removed when the next
 * one opens ({@link clearUploads}).
 */

/** The folder of the uploads in a state directory. */
const UPLOADS_DIR = 'uploads';

/** A file name an upload may have: one plain name (`web.ova`), never a path. */
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._ +-]{0,254}$/;

/** An upload on disk, and how to remove it. */
interface StagedUpload {
  path: string;
  sizeBytes: bigint;
  remove(): Promise<void>;
}

/** Removes what uploads a previous host process left; called when the host opens. */
export function clearUploads(stateDir: string): void {
  const dir = join(stateDir, UPLOADS_DIR);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { mode: 0o700 });
}

/**
 * Writes an upload's bytes under its file name (which keeps its extension: `.ova` or `.ovf` tells the deploy what
 * it is) in a private folder of its own; refuses a name that is not one plain file name, and more bytes than
 * `maxBytes` (the size the caller announced).
 *
 * @example
 * const up = await stageUpload(stateDir, 'web.ova', body, 1_048_576n);
 * try { await deploy(up.path); } finally { await up.remove(); }
 */
export async function stageUpload(
  stateDir: string,
  fileName: string,
  body: AsyncIterable<Uint8Array>,
  maxBytes?: bigint,
): Promise<StagedUpload> {
  if (!FILE_NAME.test(fileName) || fileName.includes('..')) {
    throw new ApiError(
      'INVALID_ARGUMENT',
      `${JSON.stringify(fileName.slice(0, 80))} is not an upload's file name: one plain name such as web.ova`,
    );
  }
  const dir = join(stateDir, UPLOADS_DIR, randomBytes(16).toString('hex'));
  await mkdir(join(stateDir, UPLOADS_DIR), { recursive: true, mode: 0o700 });
  await mkdir(dir, { mode: 0o700 });
  const remove = () => rm(dir, { recursive: true, force: true });
  const path = join(dir, fileName);
  let size = 0n;
  try {
    const fh = await open(path, 'wx', 0o600);
    try {
      for await (const chunk of body) {
        size += BigInt(chunk.length);
        if (maxBytes !== undefined && size > maxBytes)
          throw new ApiError(
            'LIMIT_EXCEEDED',
            `The upload ${fileName} is longer than the ${maxBytes} bytes announced`,
          );
        await fh.write(chunk);
      }
    } finally {
      await fh.close();
    }
    if (maxBytes !== undefined && size !== maxBytes)
      throw new ApiError(
        'INVALID_ARGUMENT',
        `The upload ${fileName} ended after ${size} bytes; ${maxBytes} were announced`,
      );
  } catch (e) {
    await remove();
    throw e;
  }
  return { path, sizeBytes: size, remove };
}
