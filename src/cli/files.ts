import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { VesselError } from '../model/index.js';

/** Error code for files the CLI cannot read or write. */
export class CliFileError extends VesselError<'IO_READ' | 'IO_WRITE'> {}

/** Reads a whole file, turning ENOENT and friends into one readable error. */
export async function readInput(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : String(e);
    throw new CliFileError('IO_READ', `Cannot read "${path}": ${why}`, { cause: e });
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
