import type { X509Certificate } from 'node:crypto';
import { parseCertFile, verifyCertFile } from './certificate.js';
import { OvaError } from './errors.js';
import type { DigestAlgorithm } from './manifest.js';
import type { OvaProblem, OvaSignatureReport } from './report.js';

/**
 * Checks a package's certificate file at the end of a read: it needs the manifest, its signature must match the
 * manifest's bytes, and with a CA bundle its chain must end at the bundle. Problems go to `problem`; returns what
 * the report shows about the signature.
 */
export function checkSignature(
  cert: { name: string; bytes: Buffer } | undefined,
  manifest: { name: string; bytes: Buffer } | undefined,
  manifestName: string,
  options: {
    ca?: X509Certificate[] | undefined;
    requireSignature?: boolean | undefined;
    now?: Date | undefined;
  },
  warnings: string[],
  problem: (p: OvaProblem) => void,
): OvaSignatureReport | undefined {
  if (cert === undefined) {
    if (options.requireSignature && manifest !== undefined) {
      problem({
        code: 'OVA_SIGNATURE_REQUIRED',
        message: 'The package is not signed (it has no certificate file)',
      });
    }
    return undefined;
  }
  let algorithm: DigestAlgorithm = 'sha256';
  const report: OvaSignatureReport = { name: cert.name, algorithm, valid: false, chain: [] };
  try {
    const parsed = parseCertFile(cert.bytes, cert.name);
    algorithm = parsed.algorithm;
    report.algorithm = algorithm;
    if (manifest === undefined) {
      throw new OvaError('OVA_SIGNATURE_INVALID', `${cert.name} signs a manifest, but the package has none`, {
        member: cert.name,
      });
    }
    if (parsed.manifestName !== manifestName) {
      warnings.push(
        `${cert.name} names "${parsed.manifestName}" in its signature line, not "${manifestName}"`,
      );
    }
    const check = verifyCertFile(parsed, manifest.bytes, {
      ca: options.ca,
      ...(options.now ? { now: options.now } : {}),
    });
    report.valid = true;
    report.signer = check.signer;
    report.chain = check.chain;
    report.trusted = check.trusted;
    warnings.push(...check.warnings);
  } catch (e) {
    if (!(e instanceof OvaError)) throw e;
    // The signature itself matched when only the chain failed: keep that fact in the report.
    if (e.code === 'OVA_CERT_UNTRUSTED' || e.code === 'OVA_CERT_EXPIRED') {
      report.valid = true;
      report.trusted = false;
      try {
        const parsed = parseCertFile(cert.bytes, cert.name);
        report.signer = verifyCertFile(parsed, manifest!.bytes).signer;
      } catch {
        // already reported below
      }
    }
    problem({ code: e.code, message: e.message, member: cert.name });
  }
  return report;
}
