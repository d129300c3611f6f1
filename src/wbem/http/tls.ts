import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { chmod, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { renameDurableSync } from '../../durable/index.js';
import { HttpError } from './errors.js';

const run = promisify(execFile);

/** A PEM key and certificate, and where they are. */
export interface TlsFiles {
  keyFile: string;
  certFile: string;
  key: Buffer;
  cert: Buffer;
  /** SHA-256 fingerprint of the certificate, for clients to pin. */
  fingerprint256: string;
}

/**
 * The HTTPS key and certificate of a host: read from `dir/cim-key.pem` and `dir/cim-cert.pem`, or generated there on
 * first start with openssl (a self-signed ECDSA P-256 certificate for `hostName`, `localhost` and 127.0.0.1, valid
 * ten years; the key is written with mode 0600).
 *
 * @example
 * const tls = await ensureCertificate('/var/lib/vessel', 'host1.example');
 */
export async function ensureCertificate(dir: string, hostName: string): Promise<TlsFiles> {
  const keyFile = join(dir, 'cim-key.pem');
  const certFile = join(dir, 'cim-cert.pem');
  try {
    return await loadCertificate(keyFile, certFile);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmpKey = `${keyFile}.${process.pid}.tmp`;
  const tmpCert = `${certFile}.${process.pid}.tmp`;
  const cn = hostName.replace(/[^A-Za-z0-9.-]/g, '') || 'localhost';
  try {
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      tmpKey,
      '-out',
      tmpCert,
      '-days',
      '3650',
      '-subj',
      `/CN=${cn}/O=Vessel`,
      '-addext',
      `subjectAltName=DNS:${cn},DNS:localhost,IP:127.0.0.1`,
    ]);
  } catch (e) {
    throw new HttpError(
      'HTTP_TLS',
      `Cannot generate the HTTPS certificate with openssl: ${(e as Error).message}`,
      {
        cause: e,
        hint: 'Install openssl, or give a key and certificate.',
      },
    );
  }
  await chmod(tmpKey, 0o600);
  await chmod(tmpCert, 0o600);
  // Synced, renamed, the folder synced: a power-off right after the first start must not leave the host with an
  // empty key or certificate (ext4 commits the new names before delayed-allocated data).
  renameDurableSync(tmpKey, keyFile);
  renameDurableSync(tmpCert, certFile);
  return loadCertificate(keyFile, certFile);
}

/** Reads a PEM key and certificate and checks that the certificate parses. */
export async function loadCertificate(keyFile: string, certFile: string): Promise<TlsFiles> {
  const [key, cert] = await Promise.all([readFile(keyFile), readFile(certFile)]);
  const damaged = (file: string, why: string) =>
    new HttpError('HTTP_TLS', `The HTTPS ${file === keyFile ? 'key' : 'certificate'} ${file} ${why}`, {
      hint: 'A power cut while it was written can do this; remove the key and the certificate to make new ones',
    });
  if (key.length === 0) throw damaged(keyFile, 'is empty');
  if (cert.length === 0) throw damaged(certFile, 'is empty');
  let x: X509Certificate;
  try {
    x = new X509Certificate(cert);
  } catch (e) {
    throw damaged(certFile, `is not a certificate (${(e as Error).message})`);
  }
  return { keyFile, certFile, key, cert, fingerprint256: x.fingerprint256 };
}
