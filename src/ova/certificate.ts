/**
 * The OVF certificate file (`.cert`, DSP0243 §5.2), as ovftool writes it: one line with the RSA signature of the
 * manifest's bytes, `SHA256(vm.mf)= <hex signature>`, followed by the signer's X.509 certificate in PEM (and any
 * intermediate certificates after it). Signing and verification use node:crypto (OpenSSL).
 */
import { createPrivateKey, type KeyObject, sign, verify, X509Certificate } from 'node:crypto';
import { OvaError } from './errors.js';
import { type DigestAlgorithm, MANIFEST_TOKEN, parseDigestAlgorithm } from './manifest.js';

/** A parsed `.cert` file. */
export interface CertFile {
  algorithm: DigestAlgorithm;
  /** The manifest name the signature line names. */
  manifestName: string;
  signature: Buffer;
  /** Leaf first, then any intermediates, as they appear. */
  certificates: X509Certificate[];
}

/** Who signed a package, for reports. */
export interface SignerInfo {
  subject: string;
  issuer: string;
  serialNumber: string;
  validFrom: string;
  validTo: string;
  fingerprint256: string;
}

/** A private key with its certificate chain, ready to sign manifests. */
export interface OvaSigner {
  key: KeyObject;
  /** Leaf first. */
  certificates: X509Certificate[];
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const SIG_LINE = /^\s*([A-Za-z0-9-]+)\s*\((.*)\)\s*=\s*([0-9A-Fa-f]+)\s*$/;

/** Reads every PEM certificate in a text (a CA bundle, a `.cert` file, a key file with its certificate). */
export function readPemCertificates(pem: string | Uint8Array, what = 'certificate file'): X509Certificate[] {
  const text = typeof pem === 'string' ? pem : Buffer.from(pem).toString('utf8');
  const blocks = text.match(PEM_CERT) ?? [];
  return blocks.map((b, i) => {
    try {
      return new X509Certificate(b);
    } catch (e) {
      throw new OvaError(
        'OVA_CERT_SYNTAX',
        `Certificate ${i + 1} of the ${what} cannot be read: ${(e as Error).message}`,
        {
          cause: e,
        },
      );
    }
  });
}

/**
 * Loads an RSA private key (PEM, PKCS#1 or PKCS#8) and its certificate (from `certPem`, or from the key file
 * itself as ovftool's `--privateKey` accepts). Throws `OVA_KEY` when the key is not RSA, is encrypted, or does
 * not match the certificate.
 */
export function loadSigner(keyPem: string | Uint8Array, certPem?: string | Uint8Array): OvaSigner {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: Buffer.from(keyPem), format: 'pem' });
  } catch (e) {
    throw new OvaError('OVA_KEY', `Cannot read the private key: ${(e as Error).message}`, {
      cause: e,
      hint: 'Give an unencrypted PEM RSA key (openssl genrsa, or openssl pkey -in enc.pem -out key.pem).',
    });
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new OvaError(
      'OVA_KEY',
      `The private key is ${key.asymmetricKeyType ?? 'not asymmetric'}, not RSA`,
      {
        hint: 'OVF signatures are RSA (as ovftool writes them).',
      },
    );
  }
  const certificates = readPemCertificates(certPem ?? keyPem, 'signing certificate');
  const leaf = certificates[0];
  if (leaf === undefined) {
    throw new OvaError('OVA_KEY', 'No certificate given for the signing key', {
      hint: 'Pass --cert CERT.pem, or a key file that also holds the certificate.',
    });
  }
  if (!leaf.checkPrivateKey(key)) {
    throw new OvaError(
      'OVA_KEY',
      `The private key does not belong to the certificate of ${oneLine(leaf.subject)}`,
    );
  }
  return { key, certificates };
}

/** Writes the `.cert` text: the signature line over `manifest`, then the certificates in PEM. */
export function signManifest(
  manifest: Uint8Array,
  manifestName: string,
  signer: OvaSigner,
  algorithm: DigestAlgorithm,
): string {
  const signature = sign(algorithm, manifest, signer.key).toString('hex');
  return `${MANIFEST_TOKEN[algorithm]}(${manifestName})= ${signature}\n${certificatesPem(signer)}`;
}

/** Length of the `.cert` text {@link signManifest} writes for this signer: fixed, as an RSA signature is. */
export function certFileLength(signer: OvaSigner, manifestName: string, algorithm: DigestAlgorithm): number {
  const bits = signer.key.asymmetricKeyDetails?.modulusLength ?? 0;
  const hex = 2 * Math.ceil(bits / 8);
  return (
    Buffer.byteLength(`${MANIFEST_TOKEN[algorithm]}(${manifestName})= \n${certificatesPem(signer)}`) + hex
  );
}

function certificatesPem(signer: OvaSigner): string {
  return signer.certificates.map((c) => `${c.toString().trim()}\n`).join('');
}

/** Parses a `.cert` file; throws `OVA_CERT_SYNTAX`. */
export function parseCertFile(text: string | Uint8Array, file = 'certificate'): CertFile {
  const s = typeof text === 'string' ? text : Buffer.from(text).toString('utf8');
  const first = s.split('\n').find((l) => l.trim() !== '') ?? '';
  const m = SIG_LINE.exec(first.replace(/\r$/, ''));
  const algorithm = m ? parseDigestAlgorithm(m[1]!) : undefined;
  if (!m || algorithm === undefined || m[3]!.length % 2 !== 0) {
    throw new OvaError(
      'OVA_CERT_SYNTAX',
      `${file}: the first line is not a signature line like "SHA256(vm.mf)= <hex>"`,
      {
        member: file,
      },
    );
  }
  const certificates = readPemCertificates(s, file);
  if (certificates.length === 0) {
    throw new OvaError('OVA_CERT_SYNTAX', `${file} holds no PEM certificate after the signature line`, {
      member: file,
    });
  }
  return { algorithm, manifestName: m[2]!, signature: Buffer.from(m[3]!, 'hex'), certificates };
}

/** What {@link verifyCertFile} found. */
export interface SignatureCheck {
  signer: SignerInfo;
  /** The chain from the signer to the trusted CA, when a CA bundle was given. */
  chain: SignerInfo[];
  /** True when the chain ends at a certificate of the CA bundle; undefined when no bundle was given. */
  trusted: boolean | undefined;
  warnings: string[];
}

/**
 * Checks the signature in a `.cert` against the manifest's bytes with the signer certificate's public key, then,
 * when `ca` is given, the chain from the signer through the `.cert`'s intermediates to a certificate of the bundle,
 * including validity dates. Throws `OVA_SIGNATURE_INVALID`, `OVA_CERT_UNTRUSTED` or `OVA_CERT_EXPIRED`.
 */
export function verifyCertFile(
  cert: CertFile,
  manifest: Uint8Array,
  options: { ca?: X509Certificate[] | undefined; now?: Date } = {},
): SignatureCheck {
  const leaf = cert.certificates[0]!;
  let ok = false;
  try {
    ok = verify(cert.algorithm, manifest, leaf.publicKey, cert.signature);
  } catch {
    ok = false;
  }
  if (!ok) {
    throw new OvaError(
      'OVA_SIGNATURE_INVALID',
      `The signature in the certificate file does not match the manifest for the key of ${oneLine(leaf.subject)}`,
      { hint: 'The manifest or the signature was altered after signing.' },
    );
  }
  const now = options.now ?? new Date();
  const warnings: string[] = [];
  if (options.ca === undefined) {
    const why = expiry(leaf, now);
    if (why) warnings.push(why);
    warnings.push('The signer certificate was not checked against a CA (give --ca BUNDLE.pem)');
    return { signer: signerInfo(leaf), chain: [], trusted: undefined, warnings };
  }
  const chain = buildChain(leaf, cert.certificates.slice(1), options.ca);
  for (const c of chain) {
    const why = expiry(c, now);
    if (why) throw new OvaError('OVA_CERT_EXPIRED', why);
  }
  return { signer: signerInfo(leaf), chain: chain.map(signerInfo), trusted: true, warnings };
}

function buildChain(
  leaf: X509Certificate,
  intermediates: X509Certificate[],
  anchors: X509Certificate[],
): X509Certificate[] {
  const chain = [leaf];
  let cur = leaf;
  for (let depth = 0; depth < 8; depth++) {
    if (anchors.some((a) => a.fingerprint256 === cur.fingerprint256)) return chain;
    const anchor = anchors.find((a) => a.ca && issued(cur, a));
    if (anchor) {
      chain.push(anchor);
      return chain;
    }
    const next = intermediates.find((i) => i.ca && !chain.includes(i) && issued(cur, i));
    if (!next) break;
    chain.push(next);
    cur = next;
  }
  throw new OvaError(
    'OVA_CERT_UNTRUSTED',
    `The signer ${oneLine(leaf.subject)} (issued by ${oneLine(leaf.issuer)}) does not chain to a certificate of the CA bundle`,
    { hint: 'Check that --ca holds the CA that issued the signing certificate.' },
  );
}

function issued(child: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return child.checkIssued(issuer) && child.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

function expiry(c: X509Certificate, now: Date): string | undefined {
  if (now < new Date(c.validFrom))
    return `The certificate of ${oneLine(c.subject)} is not valid before ${c.validFrom}`;
  if (now > new Date(c.validTo)) return `The certificate of ${oneLine(c.subject)} expired on ${c.validTo}`;
  return undefined;
}

/** The facts of a certificate that a report shows. */
export function signerInfo(c: X509Certificate): SignerInfo {
  return {
    subject: oneLine(c.subject),
    issuer: oneLine(c.issuer),
    serialNumber: c.serialNumber,
    validFrom: c.validFrom,
    validTo: c.validTo,
    fingerprint256: c.fingerprint256,
  };
}

function oneLine(dn: string): string {
  return dn.split('\n').filter(Boolean).join(', ');
}
