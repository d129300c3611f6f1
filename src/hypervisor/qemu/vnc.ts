import { rmSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { HypervisorError } from '../errors.js';
import { connectFdPassing } from './fdpass.js';
import type { QmpClient } from './qmp.js';

/**
 * QEMU's VNC server without any listener. Anything that can open a TCP connection to the host's loopback could
 * drive a display on 127.0.0.1: every local user, and every guest on the `user` (slirp) network, whose
 * connections to 10.0.2.2 libslirp forwards to the host's 127.0.0.1. A unix socket QEMU binds would be a path of
 * its own in a folder it could write, which the driver never gives it. So QEMU runs `-vnc none` (a VNC display
 * that listens nowhere) and the host hands it each client as a descriptor: one end of a connected socket pair,
 * passed over the system's descriptor monitor (QMP `getfd`) and given to the display with `add_client`.
 */

/**
 * Where a running QEMU's VNC server is: `private` (no listener; clients through `add_client`), or `tcp` for a QEMU
 * an older Vessel started with a VNC server on the loopback, which a host that adopts it keeps using.
 */
export type QemuVnc = { kind: 'private' } | { kind: 'tcp'; host: string; port: number };

/** What `query-vnc` says (QAPI VncInfo): only the members read here. */
interface VncInfo {
  enabled?: boolean;
  host?: string;
  service?: string;
}

/**
 * The VNC server of a QEMU the driver started or adopts, as `query-vnc` reports it: a listener on 127.0.0.1,
 * port 5900 to 5999 (an older Vessel's QEMU) is `tcp`; one with none is `private` when the definition has VNC
 * graphics (QEMU then runs `-vnc none`, which query-vnc reports as not enabled); else undefined.
 *
 * @example
 * await vncOf(proc.qmp, true); // { kind: 'private' }
 */
export async function vncOf(
  qmp: Pick<QmpClient, 'execute'>,
  vncGraphics: boolean,
): Promise<QemuVnc | undefined> {
  // On failure the system runs all the same; only its display is unknown.
  const info = await qmp.execute<VncInfo>('query-vnc').catch((): VncInfo => ({}));
  const port = Number(info.service);
  // What an older Vessel asked for: 127.0.0.1, displays 0 to 99. Nothing else is trusted from QEMU's answer, so
  // that a QEMU cannot point the host's console bridge at another port.
  const old = info.host === '127.0.0.1' && Number.isInteger(port) && port >= 5900 && port <= 5999;
  if (info.enabled === true && old) return { kind: 'tcp', host: '127.0.0.1', port };
  return vncGraphics && info.enabled !== true ? { kind: 'private' } : undefined;
}

/** Tells the pair sockets of concurrent connections apart (names stay short: sun_path holds 107 bytes). */
let pairs = 0;

/**
 * A connected pair of unix sockets: both ends are the host's, made through a one-shot listener at a fresh name in
 * `dir` (the system's private run folder, 0700: nobody else can connect there first). The listener is gone
 * before this returns. The accepted end is paused, so the host never reads what is meant for QEMU.
 */
async function socketPair(dir: string, n: number): Promise<{ mine: Socket; theirs: Socket }> {
  const path = join(dir, `vnc${n % 1000}.sock`);
  rmSync(path, { force: true });
  const server = createServer({ pauseOnConnect: true });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, resolve);
    });
    const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
    const mine = connect(path);
    await new Promise<void>((resolve, reject) => {
      mine.once('connect', resolve);
      mine.once('error', reject);
    });
    return { mine, theirs: await accepted };
  } finally {
    server.close();
    rmSync(path, { force: true });
  }
}

/**
 * A new connection to the VNC display of a QEMU started with `-vnc none`: one end of a socket pair goes to QEMU
 * over its descriptor monitor `fdSocket` (`getfd`, then `add_client` with QEMU's own authentication kept), the
 * other is returned; it speaks RFB from QEMU's first byte. `dir` is the system's private run folder.
 *
 * @example
 * const rfb = await connectPrivateVnc('/var/lib/vessel/run/UUID/fds.sock', '/var/lib/vessel/run/UUID');
 */
export async function connectPrivateVnc(fdSocket: string, dir: string): Promise<Socket> {
  const qmp = await connectFdPassing(fdSocket);
  let pair: { mine: Socket; theirs: Socket } | undefined;
  const n = pairs++;
  const fdname = `vnc-client-${n}`;
  try {
    pair = await socketPair(dir, n);
    // Node has no public accessor for a socket's descriptor; its handle carries it on Unix (as in handles.ts).
    const fd = (pair.theirs as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
    if (typeof fd !== 'number' || fd < 0)
      throw new HypervisorError('QMP_PROTOCOL', 'Cannot hand a VNC connection to QEMU: no descriptor');
    await qmp.execute('getfd', { fdname }, undefined, [fd]);
    pair.theirs.destroy(); // QEMU holds its own copy now
    try {
      await qmp.execute('add_client', { protocol: 'vnc', fdname, skipauth: false });
    } catch (e) {
      await qmp.execute('closefd', { fdname }).catch(() => undefined);
      throw e;
    }
    pair.mine.setNoDelay(true);
    return pair.mine;
  } catch (e) {
    pair?.mine.destroy();
    pair?.theirs.destroy();
    throw e;
  } finally {
    qmp.close();
  }
}

/** A TCP connection to the loopback VNC server of a QEMU an older Vessel started (see {@link QemuVnc}). */
export async function connectTcpVnc(host: string, port: number): Promise<Socket> {
  const s = connect(port, host);
  await new Promise<void>((resolve, reject) => {
    s.once('connect', resolve);
    s.once('error', reject);
  });
  s.setNoDelay(true);
  return s;
}
