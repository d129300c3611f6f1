import { chmodSync, existsSync, renameSync, rmSync } from 'node:fs';
import { connect, type Server } from 'node:net';
import { HostError } from '../errors.js';

/**
 * How the host puts a socket in its run directory, whatever protocol it speaks there (issue 9's hardening): a
 * second host on the same socket is refused, a stale socket of a host that died is removed, and the socket is
 * bound to a temporary name, made private (0600) and only then renamed into place, so a client never finds a
 * socket that refuses connections or one with a wider mode.
 */

/**
 * True when something answers on the socket.
 *
 * @example
 * if (await answering(hostSocketPath(stateDir))) console.log('a host runs there');
 */
export function answering(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * Makes `server` listen on the unix socket `path`, privately (see the module comment). HOST_ALREADY_RUNNING when
 * a host answers there already (`stateDir` names it). When the server closes, the socket is removed.
 *
 * @example
 * await listenPrivately(createServer(onConnection), hostSocketPath(stateDir), stateDir);
 */
export async function listenPrivately(server: Server, path: string, stateDir: string): Promise<void> {
  if (existsSync(path)) {
    if (await answering(path)) {
      throw new HostError('HOST_ALREADY_RUNNING', `A Vessel host is already running for ${stateDir}`);
    }
    rmSync(path, { force: true });
  }
  const temp = `${path}.${process.pid}.tmp`;
  rmSync(temp, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(temp, () => {
      server.off('error', reject);
      resolve();
    });
  });
  chmodSync(temp, 0o600);
  renameSync(temp, path);
  // libuv unlinks the name it bound (the temporary one) on close; the renamed socket is ours to remove.
  server.once('close', () => rmSync(path, { force: true }));
}
