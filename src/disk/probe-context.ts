import type { ImageFile } from './file-io.js';
import type { Problems } from './types.js';

/** What each format's prober gets: the open file, its first bytes, and a problem list to add to. */
export interface ProbeContext {
  file: ImageFile;
  /** The first bytes of the file (up to 64 KiB). */
  head: Buffer;
  problems: Problems;
  /** When true, also run the slow checks (full marker walk, `qemu-img check`). */
  deep: boolean;
}

/** Reads a table of `length` bytes at `offset`, or records an error and returns undefined when it is cut off. */
export async function readTable(
  ctx: ProbeContext,
  offset: number,
  length: number,
  code: string,
  what: string,
): Promise<Buffer | undefined> {
  if (offset + length > ctx.file.size) {
    ctx.problems.error(
      code,
      `The ${what} (${length} bytes at offset ${offset}) extends past the end of the file (${ctx.file.size} bytes)`,
      offset,
    );
    return undefined;
  }
  return ctx.file.read(offset, length);
}
