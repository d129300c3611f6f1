import type { OvfFile } from '../ovf/index.js';
import type { OvaSigner } from './certificate.js';
import { OvaError } from './errors.js';
import { parseCount } from './expect.js';
import type { DigestAlgorithm } from './manifest.js';
import { chunkName, isExternalHref } from './names.js';
import { OvaReader } from './reader.js';
import type { OvaReport } from './report.js';
import { OvaWriter } from './writer.js';

/** Options of {@link signOva}. */
export interface SignOvaOptions {
  /** Where to write the signed OVA (default: replace the input). */
  output?: string | undefined;
  /** Manifest and signature algorithm (default: the input manifest's, when it uses one, else SHA-256). */
  algorithm?: DigestAlgorithm | undefined;
  /** Modification time of the new members' headers. */
  mtime?: Date | undefined;
}

/**
 * Signs an OVA as ovftool does: the package is read and verified in one pass (a package that does not verify is
 * never signed), then written again with the same descriptor and files, a freshly computed manifest (strict
 * form, covering the descriptor) and a `.cert` holding the RSA signature of that manifest and the signer's
 * certificate, in the order descriptor, manifest, certificate, files. Writes to a temporary file beside the
 * output and renames it into place.
 *
 * @example
 * await signOva('appliance.ova', loadSigner(readFileSync('key.pem'), readFileSync('cert.pem')));
 */
export async function signOva(
  input: string,
  signer: OvaSigner,
  options: SignOvaOptions = {},
): Promise<OvaReport> {
  const output = options.output ?? input;
  const reader = new OvaReader(input, { collect: false });
  let writer: OvaWriter | undefined;
  let descriptor: Buffer | undefined;
  let descriptorName = '';
  const open = async (): Promise<OvaWriter> => {
    const listing = reader.manifestListing;
    const algorithm =
      options.algorithm ?? (listing?.algorithms.length === 1 ? listing.algorithms[0] : undefined) ?? 'sha256';
    const names = new Set(reader.packageFiles.flatMap(storedNames));
    for (const f of listing?.files ?? []) if (f !== descriptorName) names.add(f);
    return OvaWriter.create(output, {
      descriptorName,
      descriptorMaxBytes: descriptor!.length,
      algorithm,
      manifestNames: [...names],
      signer,
      mtime: options.mtime,
    });
  };
  try {
    for await (const m of reader) {
      if (m.role === 'descriptor') {
        descriptorName = m.name;
        descriptor = reader.descriptorBytes;
      } else if (m.role === 'file') {
        writer ??= await open();
        await writer.addFile(m.body, () => m.name);
      }
    }
    writer ??= await open();
    await writer.finish(descriptor!);
  } catch (e) {
    await writer?.abort();
    throw e;
  }
  return reader.report();
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
      `Cannot sign: "${f.href}" is chunked but has no ovf:size to count its chunks by`,
      {
        member: f.href,
      },
    );
  }
  return Array.from({ length: Math.max(1, Math.ceil(size / chunk)) }, (_, i) => chunkName(f.href, i));
}
