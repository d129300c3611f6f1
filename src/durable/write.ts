import {
  closeSync,
  constants as fsConstants,
  fsyncSync,
  openSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** How a durable file is created. */
export interface DurableWriteOptions {
  /** The file's mode (default 0600: state files are private to the host). */
  mode?: number;
}

/** The temporary name beside `file`: hidden, per process, so that two hosts never share one. */
function tempName(file: string): string {
  return join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
}

/** Opens for writing a new file that must not exist and is never reached through a symlink. */
const CREATE = fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_NOFOLLOW;

/**
 * Syncs a folder so that the names created, renamed or removed in it are on the disk (fsync(2) on a directory).
 *
 * @example
 * syncDirSync('/var/lib/vessel');
 */
export function syncDirSync(dir: string): void {
  const fd = openSync(dir, fsConstants.O_RDONLY | fsConstants.O_DIRECTORY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Syncs a file that another program wrote (openssl, qemu-img) so that its data is on the disk before it is renamed
 * into place.
 *
 * @example
 * syncFileSync('/var/lib/vessel/.cim-cert.pem.123.tmp');
 */
export function syncFileSync(file: string): void {
  const fd = openSync(file, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Renames `from` over `to` durably: the data of `from` is synced first, the folder of `to` after (and the folder
 * of `from` when it is another one). Whatever a power cut interrupts, `to` holds the old content or the new, whole.
 *
 * @example
 * renameDurableSync('/state/.cert.tmp', '/state/cim-cert.pem');
 */
export function renameDurableSync(from: string, to: string): void {
  syncFileSync(from);
  renameSync(from, to);
  syncDirSync(dirname(to));
  if (dirname(from) !== dirname(to)) syncDirSync(dirname(from));
}

/**
 * Writes `file` atomically and durably (synchronous form of {@link writeFileDurable}).
 *
 * @example
 * writeFileDurableSync('/var/lib/vessel/networks.json', '{}\n');
 */
export function writeFileDurableSync(
  file: string,
  data: string | Uint8Array,
  o: DurableWriteOptions = {},
): void {
  const tmp = tempName(file);
  rmSync(tmp, { force: true });
  const fd = openSync(tmp, CREATE, o.mode ?? 0o600);
  try {
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  syncDirSync(dirname(file));
}

/**
 * Writes `file` atomically and durably: the content goes to a temporary file beside it (created exclusively, never
 * through a symlink, with `mode`), is synced, renamed over `file`, and the folder is synced. A reader sees the old
 * content or the new, never a part; after a power cut the file is whole (old or new), never empty.
 *
 * @example
 * await writeFileDurable('/var/lib/vessel/users.json', JSON.stringify({ users }), { mode: 0o600 });
 */
export async function writeFileDurable(
  file: string,
  data: string | Uint8Array,
  o: DurableWriteOptions = {},
): Promise<void> {
  const tmp = tempName(file);
  await rm(tmp, { force: true });
  const fh = await open(tmp, CREATE, o.mode ?? 0o600);
  try {
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  const dir = await open(dirname(file), fsConstants.O_RDONLY | fsConstants.O_DIRECTORY);
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
