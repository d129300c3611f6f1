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

/**
 * A libvirt URI split as libvirt's remote driver does: the name sent in CONNECT_OPEN (transport and `socket`
 * left out) and the socket to reach. Only local unix-socket URIs are taken (`URI` otherwise).
 *
 * @example
 * splitLibvirtUri('test+unix:///default?socket=/tmp/s'); // { name: 'test:///default', socket: '/tmp/s' }
 */
export function splitLibvirtUri(uri: string, readOnly = false): { name: string; socket: string } {
  const m = /^([a-z][a-z0-9]*)(?:\+([a-z]+))?:\/\/([^/?]*)(\/[^?]*)?(?:\?(.*))?$/i.exec(uri);
  if (m === null) throw new LibvirtError('URI', `"${uri}" is not a libvirt URI such as qemu:///system`);
  const [, driver, transport, host, path = '/', query] = m;
  if ((transport !== undefined && transport !== 'unix') || host !== '') {
    throw new LibvirtError('URI', `Cannot reach "${uri}": only local unix-socket URIs are supported so far`, {
      hint: 'Use a URI without a host, e.g. qemu:///system or test+unix:///default?socket=PATH',
    });
  }
  const params = new URLSearchParams(query ?? '');
  const socket = params.get('socket') ?? (readOnly ? DEFAULT_SOCKET_RO : DEFAULT_SOCKET);
  params.delete('socket');
  const rest = params.toString();
  return { name: `${driver}://${path}${rest === '' ? '' : `?${rest}`}`, socket };
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
 * Connects to libvirtd over its unix socket and opens a libvirt URI (`qemu:///system`,
 * `test+unix:///default?socket=/tmp/x/libvirt-sock`).
 *
 * @example
 * const client = await connectLibvirt('test:///default');
 * const { domains } = await client.call('CONNECT_LIST_ALL_DOMAINS', { need_results: 1, flags: 0 });
 */
export async function connectLibvirt(uri: string, options: OpenOptions = {}): Promise<LibvirtClient> {
  const { name, socket } = splitLibvirtUri(uri, options.readOnly === true);
  const sock = createConnection(socket);
  await new Promise<void>((resolve, reject) => {
    sock.once('connect', resolve);
    sock.once('error', (e) =>
      reject(
        new LibvirtError('CLOSED', `Cannot connect to libvirtd at ${socket}: ${e.message}`, { cause: e }),
      ),
    );
  });
  const client = new LibvirtClient(sock, options);
  try {
    await openConnection(client, name, options);
  } catch (e) {
    client.close();
    throw e;
  }
  return client;
}
