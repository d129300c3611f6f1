import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CertificateInfo } from '../api/index.js';

/** The host's HTTPS certificate in its state directory (written by the first HTTPS listener, src/wbem/http/tls.ts). */
export const CERT_FILE = 'cim-cert.pem';

let cached: { file: string; mtimeMs: number; size: number; info: CertificateInfo | undefined } | undefined;

const iso = (d: string) => new Date(d).toISOString();

/**
 * A PEM certificate's summary (RFC 5280 §4.1: subject, issuer, validity; the SHA-256 fingerprint and serial as
 * OpenSSL prints them), or undefined when the text is not a certificate Node can read.
 *
 * @example
 * certificateInfo(readFileSync('cim-cert.pem'))?.fingerprint256; // 'AB:CD:...'
 */
export function certificateInfo(pem: Buffer | string): CertificateInfo | undefined {
  let x: X509Certificate;
  try {
    x = new X509Certificate(pem);
  } catch {
    return undefined;
  }
  const serial = x.serialNumber.toUpperCase().replace(/^0+(?=.)/, '');
  return {
    subject: x.subject.slice(0, 4096),
    issuer: x.issuer.slice(0, 4096),
    ...(x.subjectAltName === undefined ? {} : { subjectAltName: x.subjectAltName.slice(0, 4096) }),
    validFrom: iso(x.validFrom),
    validTo: iso(x.validTo),
    fingerprint256: x.fingerprint256,
    serialNumber: serial.length <= 64 ? serial : serial.slice(0, 64),
  };
}

/**
 * The summary of the host's certificate (STATE/cim-cert.pem), read again only when the file changes; undefined
 * while there is none, or when it is unreadable (the listeners refuse such a file themselves).
 *
 * @example
 * hostCertificate('/var/lib/vessel')?.validTo; // '2036-12-01T10:00:00.000Z'
 */
export function hostCertificate(stateDir: string): CertificateInfo | undefined {
  const file = join(stateDir, CERT_FILE);
  let st: { mtimeMs: number; size: number };
  try {
    st = statSync(file);
  } catch {
    return undefined;
  }
  if (cached?.file === file && cached.mtimeMs === st.mtimeMs && cached.size === st.size) return cached.info;
  if (st.size > 1 << 20) return undefined;
  let info: CertificateInfo | undefined;
  try {
    info = certificateInfo(readFileSync(file));
  } catch {
    info = undefined;
  }
  cached = { file, mtimeMs: st.mtimeMs, size: st.size, info };
  return info;
}
