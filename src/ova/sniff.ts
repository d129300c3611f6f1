import { open } from 'node:fs/promises';

/**
 * True when the file starts like a tar archive (the ustar magic at offset 257), i.e. an OVA rather than a
 * descriptor; false for anything else, including a file that cannot be opened (the caller's read reports that).
 */
export async function isTarFile(path: string): Promise<boolean> {
  const fh = await open(path, 'r').catch(() => undefined);
  if (!fh) return false;
  try {
    const buf = Buffer.alloc(263);
    const { bytesRead } = await fh.read(buf, 0, 263, 0);
    return bytesRead === 263 && buf.subarray(257, 262).toString('latin1') === 'ustar';
  } finally {
    await fh.close();
  }
}
