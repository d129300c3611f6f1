import type { ValidationContext } from './context.js';

/** The largest byte count tools that read sizes as signed 64-bit integers (Java, Go, C off_t) can hold. */
const MAX_SIZE = (1n << 63n) - 1n;
const COMPRESSIONS = new Set(['', 'gzip', 'bzip2', 'identity']);
/** Chunk names end in a nine-digit index (`disk.vmdk.000000000`), so a file has at most 10^9 chunks. */
const MAX_CHUNKS = 1_000_000_000n;

/** Parses a byte count: undefined when the text is not a whole number written in decimal. */
export function parseByteCount(text: string): bigint | undefined {
  const t = text.trim();
  return /^\d{1,30}$/.test(t) ? BigInt(t) : undefined;
}

/**
 * References/File (DSP0243 §7.1): ids and hrefs present and unique, sizes whole numbers in range, a known
 * compression, a chunk size consistent with the size; Strings bundles name a File.
 */
export function checkFiles(ctx: ValidationContext): void {
  const ids = new Map<string, number | undefined>();
  const hrefs = new Map<string, string>();
  for (const f of ctx.env.references) {
    if (f.id === '') ctx.report('OVF_MISSING_ATTRIBUTE', f, `A File (href "${f.href}") has no ovf:id`);
    else if (ids.has(f.id)) {
      const line = ids.get(f.id);
      ctx.report(
        'OVF_DUPLICATE_ID',
        f,
        `File id "${f.id}" is used twice in References${line === undefined ? '' : ` (first on line ${line})`}`,
      );
    } else ids.set(f.id, f.line);
    if (f.href === '') ctx.report('OVF_MISSING_ATTRIBUTE', f, `File "${f.id}" has no ovf:href`);
    else if (hrefs.has(f.href)) {
      ctx.report(
        'OVF_DUPLICATE_HREF',
        f,
        `Files "${hrefs.get(f.href)}" and "${f.id}" both point to "${f.href}"`,
        'Each file of the package is listed once; two disks cannot share one image.',
      );
    } else hrefs.set(f.href, f.id);
    const size = f.size === undefined ? undefined : checkSize(ctx, f.id, f.size, f);
    if (f.compression !== undefined && !COMPRESSIONS.has(f.compression.trim())) {
      ctx.report(
        'OVF_FILE_COMPRESSION_UNKNOWN',
        f,
        `File "${f.id}" has ovf:compression="${f.compression}", which no consumer can decompress`,
        'Use "gzip" (or "bzip2"), or leave ovf:compression out.',
      );
    }
    if (f.chunkSize !== undefined) checkChunk(ctx, f.id, f.chunkSize, size, f);
  }
  for (const s of ctx.env.strings) {
    const ref = s.attrs.find((a) => a.local === 'fileRef' && (a.ns === ctx.env.namespace || a.ns === ''));
    if (ref !== undefined && !ctx.files.has(ref.value)) {
      ctx.report(
        'OVF_UNRESOLVED_STRINGS_FILE',
        s,
        `Strings refers to file "${ref.value}", which is not in References`,
        'External message bundles are package files listed in References.',
      );
    }
  }
}

function checkSize(ctx: ValidationContext, id: string, text: string, at: { line?: number | undefined }) {
  const n = parseByteCount(text);
  if (n === undefined || n > MAX_SIZE) {
    ctx.report(
      'OVF_FILE_SIZE_INVALID',
      at,
      n === undefined
        ? `File "${id}" has ovf:size="${text}", which is not a whole number of bytes`
        : `File "${id}" has ovf:size="${text}", beyond 2^63-1 bytes, the largest size tools can represent`,
      'ovf:size is the exact byte size of the file (xs:unsignedLong); leave it out if unknown.',
    );
    return undefined;
  }
  return n;
}

function checkChunk(
  ctx: ValidationContext,
  id: string,
  text: string,
  size: bigint | undefined,
  at: { line?: number | undefined },
): void {
  const chunk = parseByteCount(text);
  if (chunk === undefined || chunk === 0n) {
    ctx.report(
      'OVF_FILE_CHUNK_INVALID',
      at,
      `File "${id}" has ovf:chunkSize="${text}", which is not a positive whole number of bytes`,
    );
    return;
  }
  if (size === undefined) return;
  if ((size + chunk - 1n) / chunk > MAX_CHUNKS) {
    ctx.report(
      'OVF_FILE_CHUNK_INVALID',
      at,
      `File "${id}" would need more than 10^9 chunks of ${chunk} byte${chunk === 1n ? '' : 's'}; chunk names have a nine-digit index`,
    );
  } else if (chunk >= size) {
    ctx.report(
      'OVF_FILE_CHUNK_UNNEEDED',
      at,
      `File "${id}" has ovf:chunkSize ${chunk} but is only ${size} bytes, so it is a single chunk`,
      'Leave ovf:chunkSize out unless the file is split.',
    );
  }
}
