import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { VesselError } from '../model/index.js';

/** Error code for files the CLI cannot read or write. */
export class CliFileError extends VesselError<'IO_READ' | 'IO_WRITE'> {}

/** ENOENT and friends as one readable error (exit 2). */
function readError(path: string, e: unknown): CliFileError {
  const code = (e as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT'
      ? 'no such file'
      : code === 'EISDIR'
        ? 'it is a directory'
        : code === 'EACCES'
          ? 'permission denied'
          : String(e);
  return new CliFileError('IO_READ', `Cannot read "${path}": ${why}`, { cause: e });
}

/** Reads a whole file, turning ENOENT and friends into one readable error. */
export async function readInput(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    throw readError(path, e);
  }
}

/**
 * Checks that `path` is a file this process can read, before a command hands it on (to a host, a streaming
 * reader): a missing file, a directory or an unreadable file is `IO_READ` (exit 2), as for {@link readInput}.
 *
 * @example
 * await requireReadableFile('web.ova');
 */
export async function requireReadableFile(path: string): Promise<void> {
  try {
    if ((await stat(path)).isDirectory()) throw Object.assign(new Error('EISDIR'), { code: 'EISDIR' });
    await access(path, constants.R_OK);
  } catch (e) {
    throw readError(path, e);
  }
}

/** Writes a file atomically: a temporary file beside it, then a rename, so a failure never leaves half a file. */
export async function writeAtomic(path: string, data: string | Buffer): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw new CliFileError('IO_WRITE', `Cannot write "${path}": ${(e as Error).message}`, { cause: e });
  }
}
