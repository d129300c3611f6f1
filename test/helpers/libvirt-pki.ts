/**
 * Certificates for a libvirtd TLS test, made with openssl in a temp dir: a CA, the daemon's certificate (for
 * 127.0.0.1 only) and key, a client certificate and key, and a second CA that signed nothing the daemon has (a
 * client that trusts it must refuse the daemon). Each client side is laid out as libvirt's `pkipath` directory
 * (cacert.pem, clientcert.pem, clientkey.pem).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The files of {@link makeLibvirtPki}. */
export interface LibvirtPki {
  /** The daemon's side: ca_file, cert_file, key_file of libvirtd.conf. */
  server: { ca: string; cert: string; key: string };
  /** A `pkipath` directory with the right CA and a client certificate it signed. */
  good: string;
  /** A `pkipath` directory whose cacert.pem is another CA (the client certificate is still a good one). */
  wrongCa: string;
  /** A `pkipath` directory with the right CA and no client certificate or key. */
  noClientCert: string;
  /** A `pkipath` directory whose client certificate was signed by the other CA (the daemon refuses it). */
  foreignClient: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A CA (basicConstraints CA, keyCertSign: libvirt checks both when it loads its ca_file). */
function makeCa(dir: string, name: string): void {
  openssl(dir, [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.pem`,
  ]);
}

/** A leaf certificate signed by CA `ca`, with the extensions given (libvirt checks usage and purpose). */
function makeLeaf(dir: string, ca: string, name: string, extensions: string): void {
  openssl(dir, [
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    `/CN=${name}`,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
  ]);
  writeFileSync(join(dir, `${name}.ext`), extensions);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.pem`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    `${name}.ext`,
    '-out',
    `${name}.pem`,
  ]);
}

function pkiDir(dir: string, name: string, files: Record<string, string>): string {
  const out = join(dir, name);
  mkdirSync(out);
  for (const [to, from] of Object.entries(files)) copyFileSync(join(dir, from), join(out, to));
  return out;
}

/**
 * Makes the certificates in `dir` (which must exist).
 *
 * @example
 * const pki = makeLibvirtPki(mkdtempSync(join(tmpdir(), 'pki-')));
 * await startLibvirtd({ tls: { port, ...pki.server } });
 */
export function makeLibvirtPki(dir: string): LibvirtPki {
  makeCa(dir, 'ca');
  makeCa(dir, 'other-ca');
  const leaf = 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n';
  makeLeaf(dir, 'ca', 'server', `${leaf}extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1\n`);
  makeLeaf(dir, 'ca', 'client', `${leaf}extendedKeyUsage=clientAuth\n`);
  makeLeaf(dir, 'other-ca', 'foreign', `${leaf}extendedKeyUsage=clientAuth\n`);
  const client = { 'clientcert.pem': 'client.pem', 'clientkey.pem': 'client.key' };
  return {
    server: { ca: join(dir, 'ca.pem'), cert: join(dir, 'server.pem'), key: join(dir, 'server.key') },
    good: pkiDir(dir, 'good', { 'cacert.pem': 'ca.pem', ...client }),
    wrongCa: pkiDir(dir, 'wrong-ca', { 'cacert.pem': 'other-ca.pem', ...client }),
    noClientCert: pkiDir(dir, 'no-client', { 'cacert.pem': 'ca.pem' }),
    foreignClient: pkiDir(dir, 'foreign', {
      'cacert.pem': 'ca.pem',
      'clientcert.pem': 'foreign.pem',
      'clientkey.pem': 'foreign.key',
    }),
  };
}
