import { createConnection } from 'node:net';
import { type ClientOptions, LibvirtClient } from './client.js';
import { LibvirtError } from './errors.js';
import { LIBVIRT_CONSTANTS as C } from './generated/remote.js';
import { DEFAULT_KEEPALIVE, type KeepaliveOptions } from './keepalive.js';

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

/** Where a libvirt URI's daemon is reached: its unix socket, or a TCP host and port. */
export type LibvirtEndpoint = { socket: string } | { host: string; port: number };

/**
 * A libvirt URI split as libvirt's remote driver does: the name sent in CONNECT_OPEN (transport, host and
 * `socket` left out) and where the daemon is. Local URIs (`qemu:///system`, `test+unix:///default?socket=PATH`)
 * take the unix socket; `+tcp` with a host (`qemu+tcp://host:16509/system`) takes TCP, which libvirtd offers
 * unencrypted (listen_tcp; auth_tcp "none" here, so only on a trusted network or loopback). TLS (`+tls`, or a
 * host without a transport, libvirt's default) and ssh are refused with `URI`.
 *
 * @example
 * splitLibvirtUri('test+unix:///default?socket=/tmp/s'); // { name: 'test:///default', socket: '/tmp/s' }
 * splitLibvirtUri('qemu+tcp://10.0.0.2/system'); // { name: 'qemu:///system', host: '10.0.0.2', port: 16509 }
 */
export function splitLibvirtUri(uri: string, readOnly = false): { name: string } & LibvirtEndpoint {
  const m = /^([a-z][a-z0-9]*)(?:\+([a-z]+))?:\/\/([^/?]*)(\/[^?]*)?(?:\?(.*))?$/i.exec(uri);
  if (m === null) throw new LibvirtError('URI', `"${uri}" is not a libvirt URI such as qemu:///system`);
  const [, driver, transport, authority = '', path = '/', query] = m;
  const params = new URLSearchParams(query ?? '');
  const socket = params.get('socket');
  params.delete('socket');
  const rest = params.toString();
  const name = `${driver}://${path}${rest === '' ? '' : `?${rest}`}`;
  if (transport === 'tcp') {
    const hp = /^(?:[^@/]*@)?(\[[0-9a-f:.]+\]|[A-Za-z0-9.-]{1,253})(?::(\d{1,5}))?$/i.exec(authority);
    const port = hp?.[2] === undefined ? DEFAULT_TCP_PORT : Number(hp[2]);
    if (hp === null || port < 1 || port > 65_535)
      throw new LibvirtError('URI', `"${uri}" names no host (and port) to reach over TCP`);
    return { name, host: hp[1]!.replace(/^\[|\]$/g, ''), port };
  }
  if ((transport !== undefined && transport !== 'unix') || authority !== '') {
    throw new LibvirtError(
      'URI',
      `Cannot reach "${uri}": only unix-socket and TCP URIs are supported so far`,
      {
        hint: 'Use qemu:///system, test+unix:///default?socket=PATH, or qemu+tcp://HOST[:PORT]/system',
      },
    );
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

/**
 * Connects to libvirtd over its unix socket or TCP and opens a libvirt URI (`qemu:///system`,
 * `test+unix:///default?socket=/tmp/x/libvirt-sock`, `qemu+tcp://127.0.0.1:16509/system`).
 *
 * @example
 * const client = await connectLibvirt('test:///default');
 * const { domains } = await client.call('CONNECT_LIST_ALL_DOMAINS', { need_results: 1, flags: 0 });
 */
export async function connectLibvirt(uri: string, options: OpenOptions = {}): Promise<LibvirtClient> {
  const split = splitLibvirtUri(uri, options.readOnly === true);
  const { name } = split;
  const sock = 'socket' in split ? createConnection(split.socket) : createConnection(split.port, split.host);
  const where = 'socket' in split ? split.socket : `${split.host}:${split.port}`;
  await new Promise<void>((resolve, reject) => {
    sock.once('connect', resolve);
    sock.once('error', (e) =>
      reject(
        new LibvirtError('CLOSED', `Cannot connect to libvirtd at ${where}: ${e.message}`, { cause: e }),
      ),
    );
  });
  if (!('socket' in split)) sock.setNoDelay(true);
  const client = new LibvirtClient(sock, options);
  try {
    await openConnection(client, name, options);
  } catch (e) {
    client.close();
    throw e;
  }
  return client;
}
