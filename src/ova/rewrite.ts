import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { type OvfFile, parseOvf } from '../ovf/index.js';
import type { OvaSigner } from './certificate.js';
import { ioError, OvaError } from './errors.js';
import { parseCount } from './expect.js';
import type { DigestAlgorithm } from './manifest.js';
import { chunkName, isExternalHref } from './names.js';
import { OvaReader } from './reader.js';
import type { OvaReport } from './report.js';
import { OvaWriter } from './writer.js';

/** Options of {@link rewriteOva}. */
export interface RewriteOvaOptions {
  /** Where to write the new OVA (default: replace the input). */
  output?: string | undefined;
  /** The new descriptor's bytes (default: the package's own). Members it no longer references are left out. */
  descriptor?: Buffer | undefined;
  /** Local files for members the new descriptor references: member name -> path (one the package holds is replaced). */
  added?: ReadonlyMap<string, string> | undefined;
  /** Manifest algorithm (default: the input manifest's, when it uses one, else SHA-256). */
  algorithm?: DigestAlgorithm | undefined;
  /** Signs the new manifest into a `.cert`; without one, the new package is unsigned. */
  signer?: OvaSigner | undefined;
  /** Modification time of the new members' headers. */
  mtime?: Date | undefined;
}

/** What {@link rewriteOva} read and wrote. */
export interface RewriteOvaResult {
  /** The verification report of the input package. */
  input: OvaReport;
  /** The manifest algorithm of the new package. */
  algorithm: DigestAlgorithm;
  /** The input's certificate, when it had one that the new package does not carry (no signer was given). */
  droppedSignature: string | undefined;
}

/**
 * Writes an OVA again, as ovftool does when it signs or edits one: the package is read and verified in one pass
 * (a package that does not verify is never rewritten), then written with the given descriptor (or its own), the
 * members that descriptor references (the input's, in their order, then any `added` local files) and those only
 * the manifest listed, a fresh manifest in the input's algorithm covering the descriptor, and a `.cert` when a
 * signer is given. An old signature cannot survive a new manifest: without a signer it is dropped and reported in
 * the result. Writes to a temporary file beside the output and renames it into place.
 *
 * @example
 * const r = await rewriteOva('appliance.ova', { descriptor: Buffer.from(formatOvf(env)), output: 'new.ova' });
 * if (r.droppedSignature) console.warn(`${r.droppedSignature} was dropped`);
 */
export async function rewriteOva(input: string, options: RewriteOvaOptions = {}): Promise<RewriteOvaResult> {
  const output = options.output ?? input;
  const wanted =
    options.descriptor === undefined
      ? undefined
      : packageNames(parseOvf(options.descriptor, { file: 'the new descriptor' }).references);
  const reader = new OvaReader(input, { collect: false });
  let writer: OvaWriter | undefined;
  let descriptor: Buffer | undefined;
  let descriptorName = '';
  let algorithm: DigestAlgorithm = options.algorithm ?? 'sha256';
  const held = new Set<string>();
  const open = async (): Promise<OvaWriter> => {
    const listing = reader.manifestListing;
    if (options.algorithm === undefined && listing?.algorithms.length === 1)
      algorithm = listing.algorithms[0]!;
    const referenced = new Set(reader.packageFiles.flatMap(storedNames));
    const names = new Set(wanted ?? referenced);
    // Members the manifest lists and the old descriptor does not reference are no part of an edit: kept.
    for (const f of listing?.files ?? [])
      if (f !== descriptorName && (wanted === undefined || !referenced.has(f))) names.add(f);
    // The new package's own members: a file of the same name would make two members of one name.
    const own = [descriptorName, ...['.mf', '.cert'].map((x) => descriptorName.replace(/\.ovf$/i, x))];
    for (const n of wanted ?? [])
      if (own.includes(n))
        throw new OvaError(
          'OVA_DUPLICATE',
          `The new descriptor references "${n}", a name the package's own ${n === descriptorName ? 'descriptor' : 'manifest or signature'} has`,
          {
            member: n,
            hint: 'Rename the file',
          },
        );
    for (const n of wanted ?? []) {
      const local = options.added?.get(n);
      if (local !== undefined) await regularFile(local);
      else if (!reader.packageFiles.some((f) => storedNames(f).includes(n)))
        throw new OvaError(
          'OVA_MISSING_FILE',
          `The new descriptor references "${n}", which ${input} does not hold and no local file was given for`,
          { member: n },
        );
    }
    return OvaWriter.create(output, {
      descriptorName,
      descriptorMaxBytes: descriptor!.length,
      algorithm,
      manifestNames: [...names],
      signer: options.signer,
      mtime: options.mtime,
    });
  };
  try {
    for await (const m of reader) {
      if (m.role === 'descriptor') {
        descriptorName = m.name;
        descriptor = options.descriptor ?? reader.descriptorBytes;
      } else if (m.role === 'file') {
        writer ??= await open();
        if (wanted !== undefined && m.file !== undefined && !wanted.includes(m.name)) continue;
        // A local file given for a member the package holds replaces it (written after the package's members).
        if (options.added?.has(m.name)) continue;
        held.add(m.name);
        await writer.addFile(m.body, () => m.name);
      }
    }
    writer ??= await open();
    for (const n of wanted ?? []) {
      if (held.has(n)) continue;
      const path = options.added?.get(n);
      if (path === undefined)
        throw new OvaError(
          'OVA_MISSING_FILE',
          `${input} does not hold "${n}", which the new descriptor references`,
          {
            member: n,
          },
        );
      await writer.addFile(createReadStream(path), () => n);
    }
    await writer.finish(descriptor!);
  } catch (e) {
    await writer?.abort();
    throw e;
  }
  const report = reader.report();
  const cert = report.signature?.name;
  return { input: report, algorithm, droppedSignature: options.signer ? undefined : cert };
}

/** Refuses a local file to add that cannot be read or is not a regular file (a directory, a device, a fifo). */
async function regularFile(path: string): Promise<void> {
  const st = await stat(path).catch((e: unknown) => Promise.reject(ioError(e, path)));
  if (!st.isFile())
    throw new OvaError('IO_ERROR', `Cannot add "${path}" to the package: it is not a regular file`);
}

/** The member names a package's References name, in order (chunk names for chunked files). */
function packageNames(files: readonly OvfFile[]): string[] {
  return files.flatMap(storedNames);
}

/** The member names a stored File has (its chunk names when chunked; needs ovf:size to count them). */
function storedNames(f: OvfFile): string[] {
  if (isExternalHref(f.href)) return [];
  const chunk = parseCount(f.chunkSize, `ovf:chunkSize of "${f.href}"`);
  if (chunk === undefined) return [f.href];
  const size = parseCount(f.size, `ovf:size of "${f.href}"`);
  if (size === undefined) {
    throw new OvaError(
      'OVA_CHUNK',
      `Cannot rewrite: "${f.href}" is chunked but has no ovf:size to count its chunks by`,
      { member: f.href },
    );
  }
  return Array.from({ length: Math.max(1, Math.ceil(size / chunk)) }, (_, i) => chunkName(f.href, i));
}
