import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import { LibvirtError } from './errors.js';

/** libvirtd's TLS port (libvirtd.conf tls_port). */
export const DEFAULT_TLS_PORT = 16514;

/** The PEM files a TLS client of libvirtd uses: the CA that signed the daemon, its own certificate and key. */
export interface LibvirtPkiFiles {
  ca: string;
  cert: string;
  key: string;
}

/** How a `+tls` URI asks to be reached: its `pkipath` and `no_verify` parameters. */
export interface LibvirtTlsOptions {
  /** A directory holding cacert.pem, clientcert.pem and clientkey.pem (the `pkipath` URI parameter). */
  pkipath?: string;
  /** `no_verify=1`: the daemon's certificate is not checked (its chain nor its name); ours is still sent. */
  noVerify: boolean;
}

/** libvirt's default places (docs: "TLS x509 certificates"): the system's, used by root and as a fallback. */
export const SYSTEM_PKI: LibvirtPkiFiles = {
  ca: '/etc/pki/CA/cacert.pem',
  cert: '/etc/pki/libvirt/clientcert.pem',
  key: '/etc/pki/libvirt/private/clientkey.pem',
};

/**
 * The PEM files of a TLS connection, found as libvirt's client finds them: all three in `pkipath` when it is
 * given; else, for a user other than root, `~/.pki/libvirt/cacert.pem` when it exists and
 * `~/.pki/libvirt/client{cert,key}.pem` when both exist; else the system's places ({@link SYSTEM_PKI}).
 *
 * @example
 * pkiFiles('/etc/vessel/pki'); // { ca: '/etc/vessel/pki/cacert.pem', cert: '.../clientcert.pem', key: '.../clientkey.pem' }
 */
export function pkiFiles(
  pkipath?: string,
  user = { uid: process.getuid?.() ?? 0, home: homedir() },
): LibvirtPkiFiles {
  if (pkipath !== undefined) {
    return {
      ca: join(pkipath, 'cacert.pem'),
      cert: join(pkipath, 'clientcert.pem'),
      key: join(pkipath, 'clientkey.pem'),
    };
  }
  if (user.uid === 0) return SYSTEM_PKI;
  const dir = join(user.home, '.pki', 'libvirt');
  const mine = {
    ca: join(dir, 'cacert.pem'),
    cert: join(dir, 'clientcert.pem'),
    key: join(dir, 'clientkey.pem'),
  };
  const both = existsSync(mine.cert) && existsSync(mine.key);
  return {
    ca: existsSync(mine.ca) ? mine.ca : SYSTEM_PKI.ca,
    cert: both ? mine.cert : SYSTEM_PKI.cert,
    key: both ? mine.key : SYSTEM_PKI.key,
  };
}

const PKI_HINT =
  'Put cacert.pem, clientcert.pem and clientkey.pem in a directory and name it with ?pkipath=DIR in the libvirt URI';

function readPem(what: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new LibvirtError('TLS', `Cannot read ${what} ${path}: ${(e as Error).message}`, {
      cause: e,
      hint: PKI_HINT,
    });
  }
}

/** OpenSSL's verdicts on a chain (X509_V_ERR_* as Node names them) that mean "not signed by the CA we trust". */
const CHAIN_ERRORS = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'INVALID_CA',
]);

/**
 * The daemon refused our certificate (libvirt's own client says "server verification (of our certificate or IP
 * address) failed"): it closed the connection or sent an alert instead of its verdict byte.
 */
function refused(where: string, files: LibvirtPkiFiles, why: string, cause?: Error): LibvirtError {
  return new LibvirtError(
    'TLS',
    `libvirtd at ${where} refused this client (${why}): it did not accept the certificate ${files.cert} (signed by a CA it does not trust, or a name or address it does not allow)`,
    {
      cause,
      hint: "Give the client a certificate signed by the CA of the daemon's ca_file (and allowed by its tls_allowed_dn_list)",
    },
  );
}

/** A failed handshake as one readable error: which check failed, on what, and what to do. */
function handshakeError(e: Error & { code?: string }, where: string, files: LibvirtPkiFiles): LibvirtError {
  if (e.code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new LibvirtError(
      'TLS',
      `libvirtd at ${where} presented a certificate for another name: ${e.message}`,
      {
        cause: e,
        hint: 'Connect with a host name the certificate names (its subjectAltName), or add ?no_verify=1 to trust any server',
      },
    );
  }
  // An alert about our certificate during the handshake (TLS 1.2 rejects it there, 1.3 after it).
  if (
    /^ERR_SSL_.*ALERT_(UNKNOWN_CA|BAD_CERTIFICATE|CERTIFICATE_REQUIRED|HANDSHAKE_FAILURE)/.test(e.code ?? '')
  )
    return refused(where, files, e.message, e);
  if (e.code !== undefined && CHAIN_ERRORS.has(e.code)) {
    return new LibvirtError(
      'TLS',
      `Cannot verify libvirtd's certificate at ${where} against the CA in ${files.ca}: ${e.message} (${e.code})`,
      {
        cause: e,
        hint: "Use the CA that signed the daemon's certificate (cacert.pem of the pkipath directory)",
      },
    );
  }
  if (
    e.code === 'ECONNREFUSED' ||
    e.code === 'EHOSTUNREACH' ||
    e.code === 'ENOTFOUND' ||
    e.code === 'ETIMEDOUT'
  )
    return new LibvirtError('CLOSED', `Cannot connect to libvirtd at ${where}: ${e.message}`, { cause: e });
  return new LibvirtError('TLS', `The TLS handshake with libvirtd at ${where} failed: ${e.message}`, {
    cause: e,
  });
}

/**
 * Opens a TLS connection to libvirtd (x509, as libvirt's remote driver does over `+tls`): our certificate and key
 * go to the daemon, the daemon's certificate is checked against the CA and the host name unless `noVerify`, and
 * then the daemon's verdict on us is read: libvirtd sends one byte, 1, once it accepted our certificate and
 * address, and closes the connection otherwise. Resolves with the socket, ready for RPC packets.
 *
 * @example
 * const sock = await connectTls('virt1.example.com', 16514, { noVerify: false });
 * const client = new LibvirtClient(sock);
 */
export async function connectTls(
  host: string,
  port: number,
  options: LibvirtTlsOptions,
  timeoutMs = 30_000,
): Promise<TLSSocket> {
  const files = pkiFiles(options.pkipath);
  const ca = readPem('the CA certificate', files.ca);
  const cert = readPem('the client certificate', files.cert);
  const key = readPem('the client key', files.key);
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  let sock: TLSSocket;
  try {
    sock = connect({
      host,
      port,
      ca,
      cert,
      key,
      rejectUnauthorized: !options.noVerify,
      minVersion: 'TLSv1.2',
      ...(isIP(host) === 0 ? { servername: host } : {}),
    });
  } catch (e) {
    // Not PEM, a key that does not match the certificate, an encrypted key: node refuses them before connecting.
    throw new LibvirtError(
      'TLS',
      `Cannot use the certificates ${files.ca}, ${files.cert} and key ${files.key}: ${(e as Error).message}`,
      { cause: e, hint: PKI_HINT },
    );
  }
  sock.setTimeout(timeoutMs);
  let secure = false;
  let settle!: { resolve(): void; reject(e: LibvirtError): void };
  const verdict = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  const onSecure = () => {
    secure = true;
  };
  // Between our handshake and its verdict byte, a close or an alert is the daemon refusing us.
  const onError = (e: Error) =>
    settle.reject(secure ? refused(where, files, e.message, e) : handshakeError(e, where, files));
  const onTimeout = () =>
    settle.reject(
      new LibvirtError(
        'TIMEOUT',
        `libvirtd at ${where} did not finish the TLS handshake within ${timeoutMs} ms`,
      ),
    );
  const onEnd = () => settle.reject(refused(where, files, 'it closed the connection'));
  const onReadable = () => {
    const b = sock.read(1) as Buffer | null;
    if (b === null) return;
    if (b[0] === 1) settle.resolve();
    else
      settle.reject(
        new LibvirtError(
          'PROTOCOL',
          `libvirtd at ${where} answered the TLS handshake with byte ${b[0]}, not 1`,
        ),
      );
  };
  sock.once('secureConnect', onSecure);
  sock.on('error', onError);
  sock.once('timeout', onTimeout);
  sock.once('end', onEnd);
  sock.on('readable', onReadable);
  try {
    await verdict;
  } catch (e) {
    sock.destroy();
    throw e;
  } finally {
    sock.off('secureConnect', onSecure);
    sock.off('error', onError);
    sock.off('timeout', onTimeout);
    sock.off('end', onEnd);
    sock.off('readable', onReadable);
    sock.setTimeout(0);
  }
  // Paused by the 'readable' listener: the client's 'data' listener must resume it (see connectLibvirt).
  return sock;
}
