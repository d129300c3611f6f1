import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { OvfEnvelope, OvfFile } from '../ovf/index.js';
import { ioError, OvaError } from './errors.js';
import { parseCount } from './expect.js';
import { checkUstarName, chunkName, isExternalHref, safeMemberName } from './names.js';
import { gzipBound } from './streams.js';
import { diskOfFile, type FileTransform, type PlannedTransform } from './transform.js';

/** How one References/File is stored. */
export interface PlannedFile {
  file: OvfFile;
  /** The href it is stored under. */
  href: string;
  /** The source file, or the chunk files of a file that is already chunked beside the descriptor. */
  sources: string[];
  /** Bytes of the source file(s), for progress. */
  sourceBytes: number;
  /** True when the source is already chunked (stored chunk by chunk as is). */
  preChunked: boolean;
  transform: PlannedTransform | undefined;
  gzip: boolean;
  /** Chunk size the writer splits the output by, when Vessel chunks it. */
  chunkSize: number | undefined;
  /** The stored size when known before writing; else an upper bound in `maxSize`. */
  size: number | undefined;
  maxSize: number | undefined;
}

/** What the packer was asked to do to the files. */
interface PlanOptions {
  chunkSize?: number | undefined;
  /** gzip the disk files (Files used by a Disk) that are not compressed yet. */
  gzip?: boolean | undefined;
  transform?: FileTransform | undefined;
}

/** Most chunks one file may be split into (keeps the manifest small; ovftool names allow 10^9). */
const MAX_CHUNKS = 100_000;

/** Works out, for every File in the package, its source files and how it is stored. */
export async function planFiles(env: OvfEnvelope, dir: string, options: PlanOptions): Promise<PlannedFile[]> {
  const plans: PlannedFile[] = [];
  const hrefs = new Set<string>();
  for (const file of env.references) {
    if (isExternalHref(file.href)) continue;
    const href0 = safeMemberName(file.href);
    const declaredChunk = parseCount(file.chunkSize, `ovf:chunkSize of "${href0}"`);
    const declaredSize = parseCount(file.size, `ovf:size of "${href0}"`);
    const sources = declaredChunk !== undefined ? await chunkSources(dir, href0) : [join(dir, href0)];
    const sizes = await Promise.all(sources.map((p) => fileSize(p, href0)));
    const sourceSize = sizes.reduce((a, b) => a + b, 0);
    const transform =
      declaredChunk === undefined
        ? await options.transform?.plan({
            env,
            file,
            disk: diskOfFile(env, file.id),
            sourcePath: sources[0]!,
          })
        : undefined;
    const href = transform?.href === undefined ? href0 : safeMemberName(transform.href);
    if (hrefs.has(href))
      throw new OvaError('OVA_DUPLICATE', `Two files would be stored as "${href}"`, { member: href });
    hrefs.add(href);
    const compressed =
      file.compression !== undefined && file.compression !== '' && file.compression !== 'identity';
    const gzip =
      !!options.gzip && !compressed && declaredChunk === undefined && diskOfFile(env, file.id) !== undefined;
    const asIs = transform === undefined && !gzip;
    if (asIs && declaredSize !== undefined && declaredSize !== sourceSize) {
      throw new OvaError(
        'OVA_SIZE_MISMATCH',
        `"${href0}" is ${sourceSize} bytes but its <File ovf:size> says ${declaredSize}`,
        {
          member: href0,
          hint: 'Correct ovf:size in the descriptor (vSphere refuses a package where they differ).',
        },
      );
    }
    const size = asIs ? sourceSize : undefined;
    let maxSize = asIs ? sourceSize : transform ? transform.maxSize : sourceSize;
    if (gzip && maxSize !== undefined) maxSize = gzipBound(maxSize);
    const chunkSize = declaredChunk === undefined ? options.chunkSize : undefined;
    if (chunkSize !== undefined) {
      if (maxSize === undefined) {
        throw new OvaError(
          'OVA_TRANSFORM',
          `Cannot chunk the converted "${href}": its converter gives no size bound`,
        );
      }
      if (Math.ceil(maxSize / chunkSize) > MAX_CHUNKS) {
        throw new OvaError(
          'OVA_CHUNK',
          `A chunk size of ${chunkSize} bytes would split "${href}" into too many chunks`,
          {
            hint: `Use a chunk size of at least ${Math.ceil(maxSize / MAX_CHUNKS)} bytes.`,
          },
        );
      }
    }
    checkUstarName(href);
    if (declaredChunk !== undefined || chunkSize !== undefined) checkUstarName(chunkName(href, 0));
    plans.push({
      file,
      href,
      sources,
      sourceBytes: sizes.reduce((n, x) => n + x, 0),
      preChunked: declaredChunk !== undefined,
      transform,
      gzip,
      chunkSize,
      size,
      maxSize,
    });
  }
  return plans;
}

/** Every name the manifest may list for a planned file (an upper bound when the size is not known yet). */
export function manifestNamesOf(p: PlannedFile): string[] {
  if (p.preChunked) return p.sources.map((_, i) => chunkName(p.href, i));
  if (p.chunkSize === undefined) return [p.href];
  const bound = p.size ?? p.maxSize ?? 0;
  const n = Math.max(1, Math.ceil(bound / p.chunkSize));
  return Array.from({ length: n }, (_, i) => chunkName(p.href, i));
}

async function chunkSources(dir: string, href: string): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < MAX_CHUNKS; i++) {
    const p = join(dir, chunkName(href, i));
    try {
      await stat(p);
    } catch {
      break;
    }
    out.push(p);
  }
  if (out.length === 0) {
    throw new OvaError(
      'OVA_MISSING_FILE',
      `"${href}" is chunked (ovf:chunkSize) but ${chunkName(href, 0)} is not beside the descriptor`,
      {
        member: href,
      },
    );
  }
  return out;
}

async function fileSize(path: string, href: string): Promise<number> {
  try {
    const s = await stat(path);
    if (!s.isFile())
      throw new OvaError('OVA_MEMBER_TYPE', `"${path}" (for "${href}") is not a regular file`, {
        member: href,
      });
    return s.size;
  } catch (e) {
    if (e instanceof OvaError) throw e;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new OvaError(
        'OVA_MISSING_FILE',
        `The descriptor references "${href}", but ${path} does not exist`,
        {
          member: href,
        },
      );
    }
    throw ioError(e, path);
  }
}
