import { createConnection, type Socket } from 'node:net';
import { type ClientOptions, LibvirtClient } from './client.js';
import { LibvirtError } from './errors.js';
import { LIBVIRT_CONSTANTS as C } from './generated/remote.js';
import { DEFAULT_KEEPALIVE, type KeepaliveOptions } from './keepalive.js';
import { connectTls, DEFAULT_TLS_PORT, type LibvirtTlsOptions } from './tls.js';

/** The monolithic libvirtd's sockets (Debian 12: /run/libvirt, /var/run being a link to /run). */
export const DEFAULT_SOCKET = '/run/libvirt/libvirt-sock';
/** Its read-only socket. */
export const DEFAULT_SOCKET_RO = '/run/libvirt/libvirt-sock-ro';

/** virDrvFeature numbers of CONNECT_SUPPORTS_FEATURE that the client asks about. */
export const VIR_DRV_FEATURE = { PROGRAM_KEEPALIVE: 10 } as const;

/** Options of {@link openConnection} and {@link connectLibvirt}. */
export interface OpenOptions extends ClientOptions {
  /** VIR_CONNECT_RO. */
  readOnly?: boolean;
  /** Keepalive timing, or false for none (default: libvirt's 5 s x 5). */
  keepalive?: KeepaliveOptions | false;
}

/** libvirtd's TCP port (libvirtd.conf tcp_port, `--listen`). */
export const DEFAULT_TCP_PORT = 16509;

/** Where a libvirt URI's daemon is reached: its unix socket, or a host and port over TCP, or over TLS. */
export type LibvirtEndpoint =
  | { socket: string }
  | { host: string; port: number }
  | { host: string; port: number; tls: LibvirtTlsOptions };

/** The URI parameters libvirt's remote driver reads itself and does not pass on in the name it opens. */
const TRANSPORT_PARAMS = ['socket', 'pkipath', 'no_verify'];

/**
 * A libvirt URI split as libvirt's remote driver does: the name sent in CONNECT_OPEN (transport, host and the
 * transport's own parameters left out) and where the daemon is. Local URIs (`qemu:///system`,
 * `test+unix:///default?socket=PATH`) take the unix socket; `+tcp` with a host (`qemu+tcp://host:16509/system`)
 * takes plain TCP, which libvirtd offers unencrypted (listen_tcp; auth_tcp "none" here, so only on a trusted
 * network or loopback); `+tls`, or a host without a transport (libvirt's default), takes TLS on port 16514 with
 * x509 certificates (`pkipath=DIR`, `no_verify=1`, see tls.ts). ssh and other transports are refused with `URI`.
 *
 * @example
 * splitLibvirtUri('test+unix:///default?socket=/tmp/s'); // { name: 'test:///default', socket: '/tmp/s' }
 * splitLibvirtUri('qemu+tcp://10.0.0.2/system'); // { name: 'qemu:///system', host: '10.0.0.2', port: 16509 }
 * splitLibvirtUri('qemu://h/system?pkipath=/p'); // { name: 'qemu:///system', host: 'h', port: 16514, tls: { pkipath: '/p', noVerify: false } }
 */
export function splitLibvirtUri(uri: string, readOnly = false): { name: string } & LibvirtEndpoint {
  const m = /^([a-z][a-z0-9]*)(?:\+([a-z][a-z0-9]*))?:\/\/([^/?]*)(\/[^?]*)?(?:\?(.*))?$/i.exec(uri);
  if (m === null) throw new LibvirtError('URI', `"${uri}" is not a libvirt URI such as qemu:///system`);
  const [, driver, transport, authority = '', path = '/', query] = m;
  const params = new URLSearchParams(query ?? '');
  const socket = params.get('socket');
  const pkipath = params.get('pkipath');
  const noVerify = params.get('no_verify');
  for (const p of TRANSPORT_PARAMS) params.delete(p);
  const rest = params.toString();
  const name = `${driver}://${path}${rest === '' ? '' : `?${rest}`}`;
  const tls = transport === 'tls' || (transport === undefined && authority !== '');
  if (transport === 'tcp' || tls) {
    const hp = /^(?:[^@/]*@)?(\[[0-9a-f:.]+\]|[A-Za-z0-9.-]{1,253})(?::(\d{1,5}))?$/i.exec(authority);
    const port = hp?.[2] === undefined ? (tls ? DEFAULT_TLS_PORT : DEFAULT_TCP_PORT) : Number(hp[2]);
    if (hp === null || port < 1 || port > 65_535)
      throw new LibvirtError('URI', `"${uri}" names no host (and port) to reach over ${tls ? 'TLS' : 'TCP'}`);
    const host = hp[1]!.replace(/^\[|\]$/g, '');
    if (!tls) return { name, host, port };
    if (noVerify !== null && noVerify !== '0' && noVerify !== '1')
      throw new LibvirtError('URI', `"${uri}": no_verify is 0 or 1, not "${noVerify}"`);
    if (pkipath !== null && !pkipath.startsWith('/'))
      throw new LibvirtError('URI', `"${uri}": pkipath must be an absolute directory, not "${pkipath}"`);
    return {
      name,
      host,
      port,
      tls: { ...(pkipath === null ? {} : { pkipath }), noVerify: noVerify === '1' },
    };
  }
  if (transport !== undefined && transport !== 'unix') {
    throw new LibvirtError('URI', `Cannot reach "${uri}": the ${transport} transport is not supported`, {
      hint: 'Use qemu:///system, test+unix:///default?socket=PATH, qemu+tcp://HOST[:PORT]/system or qemu+tls://HOST[:PORT]/system',
    });
  }
  return { name, socket: socket ?? (readOnly ? DEFAULT_SOCKET_RO : DEFAULT_SOCKET) };
}

/**
 * The opening sequence virsh uses (captures/test-driver-list.txt): AUTH_LIST (only "none" is supported here),
 * CONNECT_SUPPORTS_FEATURE for keepalive, CONNECT_OPEN; then keepalive starts when the daemon has it.
 *
 * @example
 * await openConnection(new LibvirtClient(socket), 'test:///default');
 */
export async function openConnection(
  client: LibvirtClient,
  name: string,
  options: OpenOptions = {},
): Promise<void> {
  const { types } = await client.call('AUTH_LIST', undefined);
  if (types.length > 0 && !types.includes(C.REMOTE_AUTH_NONE)) {
    throw new LibvirtError(
      'AUTH',
      `libvirtd asks for authentication (${types.join(', ')}); only "none" is supported`,
      {
        hint: 'Set auth_unix_rw = "none" in libvirtd.conf, or connect as a user the socket lets in',
      },
    );
  }
  const { supported } = await client.call('CONNECT_SUPPORTS_FEATURE', {
    feature: VIR_DRV_FEATURE.PROGRAM_KEEPALIVE,
  });
  await client.call('CONNECT_OPEN', { name, flags: options.readOnly === true ? 1 : 0 });
  if (supported === 1 && options.keepalive !== false)
    client.startKeepalive(options.keepalive ?? DEFAULT_KEEPALIVE);
}

/** Opens the byte stream to the daemon: its unix socket, a TCP connection, or a TLS session it accepted. */
async function openTransport(endpoint: LibvirtEndpoint, timeoutMs?: number): Promise<Socket> {
  if ('tls' in endpoint) return connectTls(endpoint.host, endpoint.port, endpoint.tls, timeoutMs);
  const sock =
    'socket' in endpoint ? createConnection(endpoint.socket) : createConnection(endpoint.port, endpoint.host);
  const where = 'socket' in endpoint ? endpoint.socket : `${endpoint.host}:${endpoint.port}`;
  await new Promise<void>((resolve, reject) => {
    sock.once('connect', resolve);
    sock.once('error', (e) =>
      reject(
        new LibvirtError('CLOSED', `Cannot connect to libvirtd at ${where}: ${e.message}`, { cause: e }),
      ),
    );
  });
  return sock;
}

/**
 * Connects to libvirtd over its unix socket, TCP or TLS and opens a libvirt URI (`qemu:///system`,
 * `test+unix:///default?socket=/tmp/x/libvirt-sock`, `qemu+tcp://127.0.0.1:16509/system`,
 * `qemu+tls://virt1.example.com/system?pkipath=/etc/vessel/pki`).
 *
 * @example
 * const client = await connectLibvirt('test:///default');
 * const { domains } = await client.call('CONNECT_LIST_ALL_DOMAINS', { need_results: 1, flags: 0 });
 */
export async function connectLibvirt(uri: string, options: OpenOptions = {}): Promise<LibvirtClient> {
  const split = splitLibvirtUri(uri, options.readOnly === true);
  const sock = await openTransport(split, options.timeoutMs);
  if (!('socket' in split)) sock.setNoDelay(true);
  const client = new LibvirtClient(sock, options);
  sock.resume(); // a TLS socket was read in paused mode (the daemon's verdict byte)
  try {
    await openConnection(client, split.name, options);
  } catch (e) {
    client.close();
    throw e;
  }
  return client;
}
