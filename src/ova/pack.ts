import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { createGzip } from 'node:zlib';
import { formatOvf, parseOvf } from '../ovf/index.js';
import type { OvaSigner } from './certificate.js';
import { ioError, OvaError } from './errors.js';
import type { DigestAlgorithm } from './manifest.js';
import { checkUstarName, chunkName } from './names.js';
import { manifestNamesOf, type PlannedFile, planFiles } from './pack-plan.js';
import { readFileChunks, throughTransform } from './streams.js';
import type { FileTransform } from './transform.js';
import { OvaWriter, type WrittenMember } from './writer.js';

/** Options of {@link packOva}. */
export interface PackOvaOptions {
  /** Manifest algorithm (default SHA-256); `none` writes no manifest. */
  algorithm?: DigestAlgorithm | 'none' | undefined;
  /** Split every stored file larger than this many bytes into chunks (`href.000000000`, ...). */
  chunkSize?: number | undefined;
  /** gzip-compress the disk files at this level (1-9), setting `ovf:compression="gzip"`. */
  gzipLevel?: number | undefined;
  /** A per-file conversion, e.g. disks to streamOptimized VMDK. */
  transform?: FileTransform | undefined;
  /** Sign the manifest into a `.cert` member. */
  signer?: OvaSigner | undefined;
  /** Modification time written in the headers (default now). */
  mtime?: Date | undefined;
  /**
   * Called as the package's files are read: `done` and `total` count their bytes (a converted file counts once
   * it is written). Never reports `total` before the archive is complete.
   */
  onProgress?: ((e: PackProgress) => void) | undefined;
}

/** Progress of {@link packOva}, in bytes of the package's source files. */
export interface PackProgress {
  phase: 'pack';
  done: number;
  total: number;
}

/** What {@link packOva} wrote. */
export interface PackResult {
  output: string;
  descriptor: string;
  /** True when the descriptor was rewritten (sizes, chunking, compression or disk format changed). */
  descriptorEdited: boolean;
  members: WrittenMember[];
}

/**
 * Packs the OVF package whose descriptor is `descriptorPath` (its files found beside it) into the OVA `outPath`,
 * in one pass over the data: descriptor first, then manifest and certificate, then the files in References
 * order, ustar headers only. Files are streamed (never held in memory), hashed on the way, optionally converted
 * (`transform`), gzip-compressed and chunked. When any of that changes what the descriptor must say, its Files'
 * `ovf:size`/`ovf:chunkSize`/`ovf:compression` are set after the pass and it is rewritten with `formatOvf`;
 * otherwise the descriptor is stored byte for byte. A partial archive is deleted on failure.
 *
 * @example
 * await packOva('vm/vm.ovf', 'vm.ova', { algorithm: 'sha256' });
 */
export async function packOva(
  descriptorPath: string,
  outPath: string,
  options: PackOvaOptions = {},
): Promise<PackResult> {
  const original = await readFile(descriptorPath).catch((e: unknown) => {
    throw ioError(e, descriptorPath);
  });
  const descriptorName = basename(descriptorPath);
  if (!/\.ovf$/i.test(descriptorName)) {
    throw new OvaError(
      'OVA_NO_DESCRIPTOR',
      `"${descriptorName}" is not named *.ovf; an OVA's descriptor must be`,
    );
  }
  checkUstarName(descriptorName);
  const env = parseOvf(original, { file: descriptorPath });
  const plans = await planFiles(env, dirname(descriptorPath), {
    chunkSize: options.chunkSize,
    gzip: options.gzipLevel !== undefined,
    transform: options.transform,
  });
  const target = resolve(outPath);
  if (
    target === resolve(descriptorPath) ||
    plans.some((p) => p.sources.some((src) => resolve(src) === target))
  ) {
    throw new OvaError('USAGE_OVA', `The output ${outPath} is one of the package's own files`);
  }
  const edited = plans.some((p) => p.transform !== undefined || p.gzip || p.chunkSize !== undefined);
  let maxDescriptor = original.length;
  if (edited) {
    // Set every attribute the pass will fill in to its widest value, to bound the final descriptor's length.
    for (const p of plans) {
      p.transform?.edit?.();
      setStoredAttributes(p, '9'.repeat(20), p.chunkSize !== undefined);
    }
    maxDescriptor = Buffer.byteLength(formatOvf(env));
  }
  const algorithm = options.algorithm === 'none' ? undefined : (options.algorithm ?? 'sha256');
  const writer = await OvaWriter.create(outPath, {
    descriptorName,
    descriptorMaxBytes: maxDescriptor,
    algorithm,
    manifestNames: plans.flatMap(manifestNamesOf),
    signer: options.signer,
    mtime: options.mtime,
  });
  const total = plans.reduce((n, p) => n + p.sourceBytes, 0);
  let done = 0;
  // One byte short of the total until the archive is finished: a bar never shows 100% before an error.
  const report = (n: number) => {
    done += n;
    options.onProgress?.({ phase: 'pack', done: Math.min(done, Math.max(0, total - 1)), total });
  };
  try {
    const members: WrittenMember[] = [];
    for (const p of plans) {
      const before = done;
      const written = await writeFile(writer, p, options.gzipLevel, options.onProgress ? report : undefined);
      if (done === before) report(p.sourceBytes);
      members.push(...written);
      const stored = written.reduce((n, m) => n + m.size, 0);
      if (edited) setStoredAttributes(p, String(stored), written.length > 1 || written[0]?.name !== p.href);
    }
    const descriptor = edited ? Buffer.from(formatOvf(env)) : original;
    await writer.finish(descriptor);
    options.onProgress?.({ phase: 'pack', done: total, total });
    return { output: outPath, descriptor: descriptorName, descriptorEdited: edited, members };
  } catch (e) {
    await writer.abort();
    throw e;
  }
}

/** Stores one planned file: its source(s), through the transform and gzip, chunked as planned. */
async function writeFile(
  writer: OvaWriter,
  p: PlannedFile,
  gzipLevel: number | undefined,
  read: ((n: number) => void) | undefined,
): Promise<WrittenMember[]> {
  const source = (path: string) => (read ? counted(readFileChunks(path), read) : readFileChunks(path));
  if (p.preChunked) {
    const out: WrittenMember[] = [];
    for (const [i, src] of p.sources.entries()) {
      out.push(...(await writer.addFile(source(src), () => chunkName(p.href, i))));
    }
    return out;
  }
  let body: AsyncIterable<Uint8Array> = p.transform ? p.transform.open() : source(p.sources[0]!);
  if (p.gzip) body = throughTransform(body, createGzip({ level: gzipLevel ?? 6 }));
  const written = await writer.addFile(
    body,
    (i) => (i === undefined ? p.href : chunkName(p.href, i)),
    p.chunkSize,
  );
  if (p.size !== undefined) {
    const total = written.reduce((n, m) => n + m.size, 0);
    if (total !== p.size) {
      throw new OvaError(
        'OVA_SIZE_MISMATCH',
        `"${p.href}" changed size while it was being packed (${p.size} -> ${total})`,
        {
          member: p.href,
        },
      );
    }
  }
  return written;
}

/** Sets a File's stored name, size, chunk size and compression as the package will hold it. */
function setStoredAttributes(p: PlannedFile, size: string, chunked: boolean): void {
  const f = p.file;
  if (p.transform === undefined && !p.gzip && p.chunkSize === undefined) return;
  f.href = p.href;
  f.size = size;
  if (p.gzip) f.compression = 'gzip';
  if (p.chunkSize !== undefined) f.chunkSize = chunked ? String(p.chunkSize) : undefined;
}

/** The chunks of `body`, reporting each one's length to `read` as it passes. */
async function* counted(body: AsyncIterable<Buffer>, read: (n: number) => void): AsyncGenerator<Buffer> {
  for await (const chunk of body) {
    read(chunk.length);
    yield chunk;
  }
}
