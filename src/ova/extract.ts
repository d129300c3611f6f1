import { lstat, mkdir, open, realpath, rm, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { formatOvf, type OvfDisk, type OvfFile } from '../ovf/index.js';
import { ioError, OvaError } from './errors.js';
import { packageFiles } from './files.js';
import { checkUstarName } from './names.js';
import { OvaReader, type ReadOvaOptions } from './reader.js';
import type { OvaReport } from './report.js';
import type { TarSource } from './tar-read.js';
import { diskOfFile } from './transform.js';
import { insideTarget } from './unpack.js';

/** Turns the content of one disk file into a file of the target folder (e.g. streamOptimized VMDK -> qcow2). */
export interface DiskDecoder {
  /**
   * Called for every File used by a Disk. Returns undefined to write the content as it is; otherwise consumes
   * `body` into a file of its choice under `targetFor(name)` and says what it wrote (href relative to the folder,
   * size in bytes, and the Disk ovf:format URI to record; none removes the attribute, as raw has no URI).
   */
  decode(ctx: {
    file: OvfFile;
    disk: OvfDisk;
    body: AsyncIterable<Buffer>;
    targetFor(name: string): Promise<string>;
  }): Promise<{ href: string; size: number; format?: string | undefined } | undefined>;
}

/** What {@link extractOva} wrote. */
export interface ExtractResult extends OvaReport {
  written: string[];
}

/**
 * Extracts an OVA into a folder as plain files, in one streaming pass: chunked files joined, gzip files inflated,
 * and disks optionally decoded by `decoder` (the CLI plugs the disk engine in to write raw or qcow2). The package
 * is verified on the way (manifest, signature per `options`); at the first problem everything written is removed.
 * The descriptor is rewritten to describe the folder (hrefs, sizes, no chunking or compression, converted disk
 * formats); no manifest or certificate is written, as they describe the archive, not the folder.
 */
export async function extractOva(
  source: TarSource,
  dir: string,
  options: Omit<ReadOvaOptions, 'collect'> & { decoder?: DiskDecoder | undefined } = {},
): Promise<ExtractResult> {
  let createdDir: string | undefined;
  try {
    createdDir = await mkdir(dir, { recursive: true });
  } catch (e) {
    throw ioError(e, dir, 'create');
  }
  const root = await realpath(dir);
  const written: string[] = [];
  const reader = new OvaReader(source, { ...options, collect: false });
  const targetFor = async (name: string) => {
    checkUstarName(name);
    const t = await insideTarget(root, name);
    // Decoders open their output themselves: make sure nothing (a planted symlink) is there to be followed.
    const there = await lstat(t).then(
      () => true,
      () => false,
    );
    if (there)
      throw new OvaError('IO_ERROR', `Refusing to overwrite "${t}": something is already there`, {
        member: name,
      });
    written.push(t);
    return t;
  };
  try {
    for await (const f of packageFiles(reader)) {
      const env = reader.envelope!;
      const disk = diskOfFile(env, f.file.id);
      const decoded =
        disk && options.decoder
          ? await options.decoder.decode({ file: f.file, disk, body: f.body, targetFor })
          : undefined;
      let size: number;
      if (decoded) {
        f.file.href = decoded.href;
        size = decoded.size;
        disk!.format = decoded.format;
      } else {
        const target = await targetFor(f.file.href);
        const fh = await open(target, 'wx', 0o644).catch((e: unknown) => {
          throw ioError(e, target, 'create');
        });
        const out = fh.createWriteStream();
        await pipeline(f.body, out);
        size = out.bytesWritten;
      }
      f.file.size = String(size);
      f.file.chunkSize = undefined;
      f.file.compression = undefined;
    }
    const report = reader.report();
    if (!report.intact) throw new OvaError(report.problems[0]!.code, report.problems[0]!.message);
    const name = basename(report.descriptor!.name);
    const target = await targetFor(name);
    await writeFile(target, formatOvf(reader.envelope!), { flag: 'wx' });
    return { ...report, written };
  } catch (e) {
    if (createdDir !== undefined) await rm(createdDir, { recursive: true, force: true });
    else await Promise.all(written.map((f) => rm(f, { force: true })));
    throw e;
  }
}
