import type { OvaSigner } from './certificate.js';
import type { DigestAlgorithm } from './manifest.js';
import type { OvaReport } from './report.js';
import { rewriteOva } from './rewrite.js';

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
  return (await rewriteOva(input, { ...options, signer })).input;
}
