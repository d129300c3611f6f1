import { stat } from 'node:fs/promises';

/**
 * What tells one version of a file from the next, for a reader that caches it: device, inode, size and the
 * nanosecond change and modification times. A durable write renames a new file over the name, so the inode
 * changes even where the file system's clock is too coarse to tell two writes apart. `''` when there is no file.
 *
 * @example
 * const v = await fileVersion('/var/lib/vessel/users.json');
 * if (v !== seen) reread();
 */
export async function fileVersion(file: string): Promise<string> {
  try {
    const s = await stat(file, { bigint: true });
    return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw e;
  }
}
